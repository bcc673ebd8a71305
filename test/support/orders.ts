import { randomUUID } from 'node:crypto';
import { mainlandIdCheckDigit, type DeclareRequest, type PayRequest } from '../../alipay-plus';
import type { SandboxFixture } from './sandbox';

/** A valid GB 11643 ID number for the given 17 leading digits. */
export function idNumber(first17 = '11010519491231002') {
  return first17 + mainlandIdCheckDigit(first17);
}

export const BUYER = { fullName: '张三', certificateType: 'ID_CARD' as const, certificateNo: idNumber() };

/** Someone else: a valid ID number that is not the payer's. */
export const OTHER_PERSON = {
  fullName: '李四',
  certificateType: 'ID_CARD' as const,
  certificateNo: idNumber('31011519800101123'),
};

/** The buyerCertificate of a declare request for a person. */
export function certificateOf(person: { fullName: string; certificateType: 'ID_CARD' | 'PASSPORT'; certificateNo: string }) {
  return { certificateType: person.certificateType, certificateNo: person.certificateNo, holderName: { fullName: person.fullName } };
}

export function uniqueId(prefix: string) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function payRequest(
  opts: { paymentRequestId?: string; fen?: number; notifyUrl?: string; expiresInMs?: number; now?: number } = {},
): PayRequest {
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

/** A split part of a payment: its own request id, customs order id and amount. */
export function splitPart(paymentRequestId: string, part: number, fen: number, over: Partial<DeclareRequest> = {}): DeclareRequest {
  return declareRequest(paymentRequestId, {
    customsDeclarationRequestId: `${paymentRequestId}-P${part}`,
    isSplit: 'true',
    referenceOrderId: `${paymentRequestId}-O${part}`,
    declarationAmount: { currency: 'CNY', value: String(fen) },
    ...over,
  });
}

/** Creates a payment (expiring relative to the sandbox clock) without paying it. */
export async function unpaidPayment(f: SandboxFixture, opts: Parameters<typeof payRequest>[0] = {}) {
  const req = payRequest({ now: await f.helpers.now(), ...opts });
  const response = await f.client.pay(req);
  return { req, id: req.paymentRequestId, paymentId: response.paymentId };
}

/** Creates a payment and has the buyer pay it. */
export async function paidPayment(f: SandboxFixture, opts: Parameters<typeof payRequest>[0] & { payer?: typeof BUYER } = {}) {
  const { payer = BUYER, ...payOpts } = opts;
  const p = await unpaidPayment(f, payOpts);
  await f.helpers.pay(p.id, payer);
  return p;
}
