import type { CustomsFiling, CustomsReceipt, FiledDocument, FilingReceipt } from '../domain/customs-filing';

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

export function customsActivities({ customs }: CustomsDeps) {
  const port = () => {
    if (!customs) throw new Error('no customs transport configured');
    return customs;
  };
  return {
    /** Files one document; the same filing again (same guid) files nothing new. */
    async fileCustomsDocument(document: FiledDocument, filing: CustomsFiling): Promise<FilingReceipt> {
      return port().file(document, filing);
    },

    /** Every receipt customs has sent about one customs order so far, verified. */
    async customsReceipts(orderNo: string): Promise<CustomsReceipt[]> {
      return port().receipts(orderNo);
    },
  };
}
