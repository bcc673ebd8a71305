import { createPrivateKey } from 'node:crypto';
import type { Logger } from 'pino';
import type { CustomsFiling, CustomsReceipt, FiledDocument, FilingReceipt } from '../domain/customs-filing';
import { EPortError } from '../eport/client';
import { CustomsFilingError, signedFiling, type FilingCompany } from '../eport/filings';
import { CebTransport } from '../eport/transport';
import { mapFailures } from './failures';

// Steps 9 and 10 on the e-port's own messages: file a signed document, read the signed receipts.
// CONTRACT (implemented on branch ceb-transport): the workflow calls exactly these two.

export interface CustomsDeps {
  customs?: CustomsFilingPort;
}

/** What the activities need from the transport: built, signed, filed; receipts verified and read. */
export interface CustomsFilingPort {
  file(document: FiledDocument, filing: CustomsFiling): Promise<FilingReceipt>;
  receipts(orderNo: string): Promise<CustomsReceipt[]>;
}

/** The port on the CEB messages: eport/filings.ts builds and signs, eport/transport.ts carries. */
export class CebFilingPort implements CustomsFilingPort {
  constructor(
    private readonly company: FilingCompany,
    private readonly transport: CebTransport,
  ) {}

  async file(document: FiledDocument, filing: CustomsFiling): Promise<FilingReceipt> {
    let signed: { guid: string; xml: string };
    try {
      signed = signedFiling(document, filing, this.company);
    } catch (error) {
      // The order lacks what customs needs, or its figures disagree: final, an operator corrects the order.
      if (error instanceof CustomsFilingError) throw new EPortError(error.code, error.message, false);
      throw error;
    }
    const filed = await this.transport.file(signed.xml);
    return { guid: filed.guid };
  }

  receipts(orderNo: string): Promise<CustomsReceipt[]> {
    return this.transport.receipts(orderNo);
  }
}

/** The port from its settings (workers/settings.ts, or the tests' and the local stack's development keys). */
export interface CebPortSettings {
  baseUrl: string;
  copCode: string;
  copName: string;
  dxpId: string;
  keyName: string;
  /** PEM. */
  signingKey: string;
  /** PEM. */
  customsPublicKey: string;
  customsCode: string;
  portCode?: string;
  defaultItemWeightKg?: string;
}

export function cebFilingPort(s: CebPortSettings, logger?: Logger): CebFilingPort {
  return new CebFilingPort(
    {
      copCode: s.copCode,
      copName: s.copName,
      dxpId: s.dxpId,
      signingKey: { privateKey: createPrivateKey(s.signingKey), keyName: s.keyName },
      customsCode: s.customsCode,
      portCode: s.portCode,
      defaultItemWeightKg: s.defaultItemWeightKg,
    },
    new CebTransport({ baseUrl: s.baseUrl, customsPublicKey: s.customsPublicKey, logger }),
  );
}

export function customsActivities({ customs }: CustomsDeps) {
  const port = () => {
    if (!customs) throw new Error('no customs transport configured');
    return customs;
  };
  return {
    /** Files one document; the same filing again (same guid) files nothing new. */
    async fileCustomsDocument(document: FiledDocument, filing: CustomsFiling): Promise<FilingReceipt> {
      return mapFailures(() => port().file(document, filing));
    },

    /** Every receipt customs has sent about one customs order so far, verified. */
    async customsReceipts(orderNo: string): Promise<CustomsReceipt[]> {
      return mapFailures(() => port().receipts(orderNo));
    },
  };
}
