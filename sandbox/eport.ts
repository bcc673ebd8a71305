import { z } from 'zod';
import { cnyAmount, mainlandIdProblem, maskIdNumber } from '../alipay-plus';
import { iso } from './clock';
import type { CustomsRules } from './customs-rules';
import type { DeclarationBook } from './declarations';
import type { PaymentBook } from './payments';
import { HelperError, helperParse as parseDoc } from './protocol-failure';

// The customs e-port stand-in for step 9, the three-document match: the merchant's order document,
// the carrier's waybill and Alipay's payment document (the accepted declaration), matched by order number.

export const orderDocument = z
  .object({
    orderNo: z.string().min(1).max(64),
    /** The merchant's customs registration code. */
    ebpCode: z.string().min(1).max(128),
    goodsValue: cnyAmount,
    buyer: z.object({
      name: z.string().min(1).max(128),
      idType: z.enum(['ID_CARD', 'PASSPORT']),
      idNumber: z.string().min(1).max(64),
    }),
    items: z
      .array(z.object({ name: z.string().min(1).max(256), quantity: z.number().int().min(1), value: z.string().regex(/^\d+$/) }))
      .default([]),
  })
  .superRefine((doc, ctx) => {
    const problem = doc.buyer.idType === 'ID_CARD' ? mainlandIdProblem(doc.buyer.idNumber) : null;
    if (problem) ctx.addIssue({ code: 'custom', path: ['buyer', 'idNumber'], message: problem });
  });
export type OrderDocument = z.infer<typeof orderDocument>;

export const waybill = z.object({
  orderNo: z.string().min(1).max(64),
  waybillNo: z.string().min(1).max(64),
  carrier: z.string().min(1).max(128),
});
export type Waybill = z.infer<typeof waybill>;

export const clearanceInquiry = z.object({ orderNo: z.string().min(1).max(64) });

interface Filing {
  orderNo: string;
  order?: { doc: OrderDocument; at: number };
  waybill?: { doc: Waybill; at: number };
  decision?: { status: 'RELEASED' | 'REJECTED'; reason?: string; at: number };
}

export class EPort {
  readonly filings = new Map<string, Filing>();

  constructor(
    private readonly payments: PaymentBook,
    private readonly declarations: DeclarationBook,
    private readonly rules: CustomsRules,
  ) {}

  private filing(orderNo: string) {
    let f = this.filings.get(orderNo);
    if (!f) this.filings.set(orderNo, (f = { orderNo }));
    return f;
  }

  submitOrder(body: unknown, now: number) {
    const doc = parseDoc(orderDocument, body);
    const f = this.filing(doc.orderNo);
    if (f.decision) throw new HelperError(409, `order ${doc.orderNo} is already ${f.decision.status}`);
    f.order = { doc, at: now };
    return { orderNo: doc.orderNo, received: 'ORDER', at: iso(now) };
  }

  submitWaybill(body: unknown, now: number) {
    const doc = parseDoc(waybill, body);
    const f = this.filing(doc.orderNo);
    if (f.decision) throw new HelperError(409, `order ${doc.orderNo} is already ${f.decision.status}`);
    f.waybill = { doc, at: now };
    return { orderNo: doc.orderNo, received: 'WAYBILL', at: iso(now) };
  }

  /** The clearance of an order: PENDING with what is missing, RELEASED, or REJECTED with a reason. */
  clearance(body: unknown, now: number) {
    const { orderNo } = parseDoc(clearanceInquiry, body);
    const f = this.filings.get(orderNo) ?? { orderNo };
    if (f.decision) return this.view(f);
    const declaration = this.declarations.acceptedFor(orderNo, now);
    const missing = [...(f.order ? [] : ['ORDER']), ...(f.waybill ? [] : ['WAYBILL']), ...(declaration ? [] : ['PAYMENT'])];
    if (missing.length > 0 || !f.order || !f.waybill || !declaration) {
      return { orderNo, status: 'PENDING', missingDocuments: missing };
    }
    const review = declaration.reviews[declaration.reviews.length - 1];
    const completeAt = Math.max(f.order.at, f.waybill.at, review.startedAt + review.decisionAfterMs);
    const rule = this.rules.clearanceFor(orderNo);
    if (now < completeAt + rule.afterMs) return { orderNo, status: 'PENDING', missingDocuments: [] };

    const decidedAt = completeAt + rule.afterMs;
    const payer = this.payments.get(declaration.paymentRequestId)?.payer;
    const declared = declaration.request.declarationAmount.value;
    let reason: string | undefined;
    if (f.order.doc.goodsValue.value !== declared) {
      reason = `order document value ${f.order.doc.goodsValue.value} fen differs from the payment document's ${declared} fen`;
    } else if (!payer || payer.certificateNo !== f.order.doc.buyer.idNumber) {
      reason = 'the buyer on the order document is not the payer';
    } else if (rule.decision === 'REJECT') {
      reason = rule.reason ?? 'customs inspection failed';
    }
    f.decision = reason ? { status: 'REJECTED', reason, at: decidedAt } : { status: 'RELEASED', at: decidedAt };
    return this.view(f);
  }

  private view(f: Filing) {
    return {
      orderNo: f.orderNo,
      status: f.decision!.status,
      missingDocuments: [],
      ...(f.decision!.reason && { reason: f.decision!.reason }),
      decidedAt: iso(f.decision!.at),
    };
  }

  summary(f: Filing) {
    return {
      orderNo: f.orderNo,
      order: f.order && {
        at: iso(f.order.at),
        goodsValue: f.order.doc.goodsValue,
        buyerIdNumber: maskIdNumber(f.order.doc.buyer.idNumber),
      },
      waybill: f.waybill && { at: iso(f.waybill.at), waybillNo: f.waybill.doc.waybillNo, carrier: f.waybill.doc.carrier },
      decision: f.decision && { ...f.decision, at: iso(f.decision.at) },
    };
  }
}
