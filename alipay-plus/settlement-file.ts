import axios, { isAxiosError, type AxiosInstance } from 'axios';
import { z } from 'zod';

// The daily transaction file Alipay+ publishes for a merchant (T+1, one file per transaction day T), in the
// layout of Antom's "Transaction Items" report: a header line, one line per payment and per refund, and
// `<END>` as the last line. docs/sandbox.md lists where each column comes from and what is assumed.
// Real files arrive by SFTP at /v1/settlements/<customerId>/<T>/transactionItems_<T>_<seq>.csv; this client
// downloads the same path over HTTPS from a file base URL, so pointing it at the real files changes the URL.

export const SETTLEMENT_FILE_COLUMNS = [
  'customerId',
  'transactionId',
  'originalTransactionId',
  'transactionRequestId',
  'originalTransactionRequestId',
  'transactionType',
  'transactionStatus',
  'transactionTime',
  'transactionAmountValue',
  'transactionCurrency',
  'settlementAmountValue',
  'settlementCurrency',
  'quoteCurrencyPair',
  'quotePrice',
] as const;

export const SETTLEMENT_FILE_END = '<END>';

const minorUnits = z.string().regex(/^-?\d{1,18}$/, 'must be an amount in minor units');

/** One line of the file: a payment (its request id is the paymentRequestId) or a refund (the refundRequestId). */
export const settlementLineSchema = z.object({
  customerId: z.string().min(1).max(64),
  /** paymentId or refundId, assigned by Alipay+. */
  transactionId: z.string().min(1).max(64),
  /** For a refund: the paymentId it returns money from; empty for a payment. */
  originalTransactionId: z.string().max(64),
  /** paymentRequestId or refundRequestId, assigned by the merchant. */
  transactionRequestId: z.string().min(1).max(64),
  /** For a refund: the paymentRequestId of its payment; empty for a payment. */
  originalTransactionRequestId: z.string().max(64),
  transactionType: z.enum(['PAYMENT', 'REFUND']),
  /** The latest status when the file was made; a refund may still be PROCESSING. */
  transactionStatus: z.enum(['SUCCESS', 'PROCESSING', 'FAIL']),
  transactionTime: z.iso.datetime({ offset: true }),
  transactionAmountValue: minorUnits,
  transactionCurrency: z.string().regex(/^[A-Z]{3}$/),
  settlementAmountValue: minorUnits,
  settlementCurrency: z.string().regex(/^[A-Z]{3}$/),
  /** e.g. USD/CNY: the settlement currency, then the transaction currency. */
  quoteCurrencyPair: z.string().regex(/^[A-Z]{3}\/[A-Z]{3}$/),
  quotePrice: z.string().regex(/^\d{1,12}(\.\d{1,10})?$/),
});
export type SettlementLine = z.infer<typeof settlementLineSchema>;

/** The transaction day as the file names it: YYYYMMDD. */
export const fileDate = (date: string) => date.replaceAll('-', '');

/** The file's path for a merchant and a transaction day (YYYY-MM-DD). */
export function settlementFilePath(customerId: string, date: string): string {
  const d = fileDate(date);
  return `/v1/settlements/${encodeURIComponent(customerId)}/${d}/transactionItems_${d}_000.csv`;
}

/** Writes lines in the file's layout. Values never hold commas, quotes or line breaks (ids, codes, numbers). */
export function formatSettlementFile(lines: SettlementLine[]): string {
  const rows = lines.map((l) => SETTLEMENT_FILE_COLUMNS.map((c) => l[c]).join(','));
  return [SETTLEMENT_FILE_COLUMNS.join(','), ...rows, SETTLEMENT_FILE_END, ''].join('\n');
}

/** Reads a file; one that is cut short (no `<END>`), has other columns or a malformed line is refused whole. */
export function parseSettlementFile(text: string): SettlementLine[] {
  const rows = text.split(/\r?\n/).filter((r) => r.trim() !== '');
  if (rows.at(-1)?.trim() !== SETTLEMENT_FILE_END) throw new Error('settlement file: no <END> line, the file is incomplete');
  const header = rows[0].split(',').map((h) => h.trim());
  const missing = SETTLEMENT_FILE_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new Error(`settlement file: missing columns ${missing.join(', ')}`);
  return rows.slice(1, -1).map((row, i) => {
    const cells = row.split(',');
    const raw = Object.fromEntries(header.map((h, j) => [h, (cells[j] ?? '').trim()]));
    const parsed = settlementLineSchema.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ');
      throw new Error(`settlement file: line ${i + 2}: ${why}`);
    }
    return parsed.data;
  });
}

/** The file is not there (yet): Alipay+ publishes it on T+1, so the caller tries again later. */
export class SettlementFileNotReady extends Error {
  override name = 'SettlementFileNotReady';
}

export interface SettlementFileClientOptions {
  /** Where the files are served; the sandbox serves them at its own base URL. */
  baseUrl: string;
  /** The merchant's customer id at Alipay+ (the sandbox takes the client id). */
  customerId: string;
  timeoutMs?: number;
}

export class SettlementFileClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: SettlementFileClientOptions) {
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 30_000,
      responseType: 'text',
      transformResponse: (d: unknown) => d,
      validateStatus: () => true,
    });
  }

  /** The lines of one transaction day (YYYY-MM-DD). */
  async download(date: string): Promise<SettlementLine[]> {
    const path = settlementFilePath(this.options.customerId, date);
    let res;
    try {
      res = await this.http.get<string>(path);
    } catch (error) {
      throw new Error(`settlement file ${path}: ${isAxiosError(error) ? error.message : String(error)}`, { cause: error });
    }
    if (res.status === 404) throw new SettlementFileNotReady(`settlement file ${path} is not published yet`);
    if (res.status !== 200) throw new Error(`settlement file ${path}: HTTP ${res.status}`);
    return parseSettlementFile(String(res.data));
  }
}
