import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { z } from 'zod';

// The customs e-port, for the three-document match: the merchant's order document, the carrier's
// waybill, and the clearance inquiry. The sandbox serves the same paths.

export const clearanceResponse = z.object({
  orderNo: z.string(),
  status: z.enum(['PENDING', 'RELEASED', 'REJECTED']),
  missingDocuments: z.array(z.string()).default([]),
  reason: z.string().optional(),
  decidedAt: z.string().optional(),
});
export type Clearance = z.infer<typeof clearanceResponse>;

export interface OrderDocumentInput {
  orderNo: string;
  ebpCode: string;
  goodsValueFen: number;
  buyer: { fullName: string; certificateType: 'ID_CARD' | 'PASSPORT'; certificateNo: string };
  items: { name: string; quantity: number; valueFen: number }[];
}

export class EPortError extends Error {
  override name = 'EPortError';
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export class EPortClient {
  private readonly http: AxiosInstance;

  constructor(baseUrl: string, timeoutMs = 10_000) {
    this.http = axios.create({ baseURL: baseUrl.replace(/\/+$/, ''), timeout: timeoutMs, validateStatus: () => true });
  }

  submitOrderDocument(doc: OrderDocumentInput) {
    return this.post('/eport/orders', {
      orderNo: doc.orderNo,
      ebpCode: doc.ebpCode,
      goodsValue: { currency: 'CNY', value: String(doc.goodsValueFen) },
      buyer: { name: doc.buyer.fullName, idType: doc.buyer.certificateType, idNumber: doc.buyer.certificateNo },
      items: doc.items.map((i) => ({ name: i.name, quantity: i.quantity, value: String(i.valueFen) })),
    });
  }

  submitWaybill(waybill: { orderNo: string; waybillNo: string; carrier: string }) {
    return this.post('/eport/waybills', waybill);
  }

  async clearance(orderNo: string): Promise<Clearance> {
    return clearanceResponse.parse(await this.post('/eport/clearance', { orderNo }));
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    let res;
    try {
      res = await this.http.post(path, body);
    } catch (error) {
      const code = isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') ? 'TIMEOUT' : 'CONNECTION_ERROR';
      throw new EPortError(code, `e-port ${path}: ${(error as Error).message}`, true);
    }
    if (res.status >= 500) throw new EPortError(`HTTP_${res.status}`, `e-port ${path}: HTTP ${res.status}`, true);
    if (res.status >= 400) {
      const detail = (res.data as { error?: string })?.error ?? '';
      const code =
        res.status === 409 ? 'EPORT_ALREADY_DECIDED' : res.status === 401 || res.status === 403 ? 'EPORT_UNAUTHORIZED' : 'EPORT_REFUSED';
      throw new EPortError(code, `e-port ${path}: ${detail}`, false);
    }
    return res.data;
  }
}
