import axios, { type AxiosInstance } from 'axios';
import type { z } from 'zod';
import { settlementFilePath } from '../alipay-plus/settlement-file';
import type { settlementPlantBody } from './settlement-file';

// The sandbox's settlement-file helpers, typed like SandboxHelpers (helper-client.ts): plant a mismatch in
// the daily transaction file, and read the file as the merchant would download it.

export type SettlementPlant = z.input<typeof settlementPlantBody>;

export class SettlementFileHelpers {
  private readonly http: AxiosInstance;

  constructor(
    readonly baseUrl: string,
    /** The merchant's customer id: the sandbox's client id. */
    readonly customerId = 'SANDBOX_MERCHANT',
  ) {
    this.http = axios.create({ baseURL: baseUrl.replace(/\/+$/, ''), timeout: 10_000, validateStatus: () => true });
  }

  /** A payment Alipay+ settled on `date` that no order made; answers its paymentRequestId. */
  async unknownPayment(date: string, amountFen: number, paymentRequestId?: string): Promise<string> {
    const r = await this.plant({ kind: 'UNKNOWN_PAYMENT', date, amountFen, paymentRequestId });
    return (r.planted as { paymentRequestId: string }).paymentRequestId;
  }

  /** The file leaves out the line of this payment or refund request. */
  async omit(transactionRequestId: string): Promise<void> {
    await this.plant({ kind: 'OMIT', transactionRequestId });
  }

  /** The file's line of this payment or refund request says otherwise: amount, currency, status or rate. */
  async alter(
    transactionRequestId: string,
    changes: Omit<Extract<SettlementPlant, { kind: 'ALTER' }>, 'kind' | 'transactionRequestId'>,
  ): Promise<void> {
    await this.plant({ kind: 'ALTER', transactionRequestId, ...changes });
  }

  /** The file of a transaction day (YYYY-MM-DD), as text. */
  async file(date: string): Promise<string> {
    const res = await this.http.get<string>(settlementFilePath(this.customerId, date), { responseType: 'text' });
    if (res.status !== 200) throw new Error(`sandbox settlement file ${date}: HTTP ${res.status} ${JSON.stringify(res.data)}`);
    return res.data;
  }

  private async plant(body: SettlementPlant): Promise<{ planted: unknown }> {
    const res = await this.http.post<{ planted: unknown }>('/sandbox/settlement-file/plants', body);
    if (res.status !== 200) throw new Error(`sandbox settlement plant: HTTP ${res.status} ${JSON.stringify(res.data)}`);
    return res.data;
  }
}
