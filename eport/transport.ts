import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import axios, { isAxiosError, type AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CustomsDocument, CustomsReceipt, FilingReceipt } from '../domain/customs-filing';
import {
  CebSignatureError,
  CebValidationError,
  CebXmlRefused,
  messageTypeOf,
  parseCeb312,
  parseCeb412,
  parseCeb512,
  parseCeb622,
  parseCeb626,
  parseSigned,
} from './ceb';
import { EPortError } from './client';

// The customs e-port's transport for the CEB messages: file one signed message, read the signed receipts of an
// order. Against the sandbox it is HTTP (POST /ceb/messages, GET /ceb/receipts); in production the same two calls
// go to the transfer client's gateway or a broker's API (docs/customs.md, "Transport"). Every receipt is verified
// against the customs' public key before it is read: an unsigned or forged receipt is logged and dropped.

export interface CebTransportOptions {
  baseUrl: string;
  /** The customs' certificate or public key (PEM), which signs every receipt. */
  customsPublicKey: string | KeyObject;
  timeoutMs?: number;
  logger?: Logger;
  /** How many verified receipts it remembers, by their bytes; 2,000 unless set. */
  verifiedReceipts?: number;
}

/**
 * An order's poll reads all its receipts again, and verifying the signature of one costs milliseconds of CPU:
 * in a 30-day customs wait, polled hourly, that was most of the worker's time. A receipt whose bytes (and
 * order) were verified already is read from memory; the oldest are forgotten first.
 */
const VERIFIED_RECEIPTS = 2_000;

const fileAnswer = z.object({ accepted: z.literal(true), guid: z.string().min(1) });
const refusal = z.object({ rule: z.string().optional(), error: z.string().optional() }).loose();
const receiptsAnswer = z.object({ receipts: z.array(z.string()).max(1000) });

interface ReturnElement {
  guid: string;
  returnStatus: string;
  returnTime: string;
  returnInfo?: string;
  orderNo?: string;
  invtNo?: string;
}

const READERS: Record<string, { document: CustomsDocument; read: (xml: string) => { guid: string; items: ReturnElement[] } }> = {
  CEB312Message: { document: 'ORDER', read: (x) => ((m) => ({ guid: m.guid, items: m.OrderReturn }))(parseCeb312(x)) },
  CEB412Message: { document: 'PAYMENT', read: (x) => ((m) => ({ guid: m.guid, items: m.PaymentReturn }))(parseCeb412(x)) },
  CEB512Message: { document: 'WAYBILL', read: (x) => ((m) => ({ guid: m.guid, items: m.LogisticsReturn }))(parseCeb512(x)) },
  CEB622Message: { document: 'INVENTORY', read: (x) => ((m) => ({ guid: m.guid, items: m.InventoryReturn }))(parseCeb622(x)) },
  CEB626Message: { document: 'RETURN', read: (x) => ((m) => ({ guid: m.guid, items: m.InvtRefundReturn }))(parseCeb626(x)) },
};

/** yyyyMMddHHmmss[SSS] in China Standard Time (UTC+8) to ISO 8601 UTC. */
export function cstToIso(time: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(time);
  if (!m) throw new Error(`not a receipt time: ${time}`);
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map((v) => Number(v ?? 0));
  return new Date(Date.UTC(y, mo - 1, d, h - 8, mi, s, ms)).toISOString();
}

export class CebTransport {
  private readonly http: AxiosInstance;
  private readonly customsKey: KeyObject;
  private readonly verified = new Map<string, CustomsReceipt[]>();

  constructor(private readonly options: CebTransportOptions) {
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 10_000,
      validateStatus: () => true,
      // The answers are small; a receipts list of an order is at most a few hundred KB.
      maxContentLength: 8 * 1024 * 1024,
    });
    this.customsKey = typeof options.customsPublicKey === 'string' ? createPublicKey(options.customsPublicKey) : options.customsPublicKey;
  }

  /** Files one signed message. The same message again is accepted and files nothing new. */
  async file(signedXml: string): Promise<FilingReceipt> {
    const data = await this.call('/ceb/messages', () =>
      this.http.post('/ceb/messages', signedXml, { headers: { 'Content-Type': 'application/xml; charset=UTF-8' } }),
    );
    const ok = fileAnswer.safeParse(data);
    if (!ok.success)
      throw new EPortError('CEB_BAD_ANSWER', `e-port /ceb/messages: unexpected answer ${JSON.stringify(data).slice(0, 200)}`, true);
    return { guid: ok.data.guid };
  }

  /** The receipts of one customs order so far, each verified against the customs' key; forged ones are dropped. */
  async receipts(orderNo: string): Promise<CustomsReceipt[]> {
    const data = await this.call('/ceb/receipts', () => this.http.get('/ceb/receipts', { params: { orderNo } }));
    const answer = receiptsAnswer.safeParse(data);
    if (!answer.success) throw new EPortError('CEB_BAD_ANSWER', 'e-port /ceb/receipts: the answer is not a list of receipts', true);
    return answer.data.receipts.flatMap((xml) => this.readOnce(xml, orderNo));
  }

  /** How many verified receipts it remembers now. */
  get rememberedReceipts(): number {
    return this.verified.size;
  }

  /** `read`, remembered: a forged receipt is not, so it is dropped (and logged) at each read. */
  private readOnce(xml: string, orderNo: string): CustomsReceipt[] {
    const key = createHash('sha256').update(orderNo).update('\0').update(xml).digest('base64');
    const known = this.verified.get(key);
    if (known) {
      this.verified.delete(key); // the most recently read goes last, so the oldest is forgotten first
      this.verified.set(key, known);
      return known.map((r) => ({ ...r }));
    }
    const read = this.read(xml, orderNo);
    if (read.length > 0) {
      this.verified.set(
        key,
        read.map((r) => ({ ...r })),
      );
      const limit = this.options.verifiedReceipts ?? VERIFIED_RECEIPTS;
      for (const oldest of this.verified.keys()) {
        if (this.verified.size <= limit) break;
        this.verified.delete(oldest);
      }
    }
    return read;
  }

  private read(xml: string, orderNo: string): CustomsReceipt[] {
    try {
      const reader = READERS[messageTypeOf(xml)];
      if (!reader) throw new CebXmlRefused(`${messageTypeOf(xml)} is not a receipt`);
      const m = parseSigned(xml, { publicKey: this.customsKey }, reader.read);
      return m.items.map((r, i) => ({
        document: reader.document,
        orderNo: r.orderNo ?? orderNo,
        guid: i === 0 ? m.guid : `${m.guid}#${i}`,
        filingGuid: r.guid,
        returnStatus: r.returnStatus,
        returnTime: cstToIso(r.returnTime),
        returnInfo: r.returnInfo ?? '',
        ...(r.invtNo && { invtNo: r.invtNo }),
      }));
    } catch (error) {
      if (error instanceof CebSignatureError || error instanceof CebXmlRefused || error instanceof CebValidationError) {
        this.options.logger?.warn({ orderNo, reason: error.message }, 'dropped a customs receipt that does not verify');
        return [];
      }
      throw error;
    }
  }

  private async call(path: string, send: () => Promise<{ status: number; data: unknown }>): Promise<unknown> {
    let res;
    try {
      res = await send();
    } catch (error) {
      const code = isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') ? 'TIMEOUT' : 'CONNECTION_ERROR';
      throw new EPortError(code, `e-port ${path}: ${(error as Error).message}`, true);
    }
    if (res.status >= 500) throw new EPortError(`HTTP_${res.status}`, `e-port ${path}: HTTP ${res.status}`, true);
    if (res.status >= 400) {
      const r = refusal.safeParse(res.data);
      const rule = (r.success && r.data.rule) || `HTTP_${res.status}`;
      const why = (r.success && r.data.error) || '';
      throw new EPortError(`CEB_${rule}`, `e-port ${path} refused (${rule}): ${why}`.slice(0, 2000), false);
    }
    return res.data;
  }
}
