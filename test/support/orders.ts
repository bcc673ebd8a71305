import { randomUUID } from 'node:crypto';
import { mainlandIdCheckDigit, type DeclareRequest, type PayRequest } from '../../alipay-plus';

/** A valid GB 11643 ID number for the given 17 leading digits. */
export function idNumber(first17 = '11010519491231002') {
  return first17 + mainlandIdCheckDigit(first17);
}

export const BUYER = { fullName: '张三', certificateType: 'ID_CARD' as const, certificateNo: idNumber(), realNameVerified: true };

export function uniqueId(prefix: string) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function payRequest(opts: { paymentRequestId?: string; fen?: number; notifyUrl?: string; expiresInMs?: number; now?: number } = {}): PayRequest {
  const fen = String(opts.fen ?? 19_900);
  const id = opts.paymentRequestId ?? uniqueId('PAY');
  return {
    paymentRequestId: id,
    paymentAmount: { currency: 'CNY', value: fen },
    order: {
      referenceOrderId: id,
      orderDescription: 'Milk powder, 2 tins',
      orderAmount: { currency: 'CNY', value: fen },
    },
    paymentNotifyUrl: opts.notifyUrl ?? 'http://127.0.0.1:9/notify',
    paymentRedirectUrl: 'https://merchant.example/return',
    paymentExpiryTime: new Date((opts.now ?? Date.now()) + (opts.expiresInMs ?? 30 * 60_000)).toISOString(),
  };
}

export function declareRequest(paymentRequestId: string, over: Partial<DeclareRequest> = {}): DeclareRequest {
  return {
    paymentRequestId,
    customsDeclarationRequestId: `${paymentRequestId}-D1`,
    customs: { customsCode: 'ZONGSHU', region: 'CN' },
    merchantCustomsInfo: { merchantCustomsCode: 'MC-0001', merchantCustomsName: 'Example Merchant Ltd' },
    declarationAmount: { currency: 'CNY', value: '19900' },
    isSplit: 'false',
    ...over,
  };
}
