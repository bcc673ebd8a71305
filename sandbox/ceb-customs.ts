import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  CebSignatureError,
  CebValidationError,
  CebXmlRefused,
  guardXml,
  messageTypeOf,
  parseCeb311,
  parseCeb511,
  parseCeb621,
  parseCeb625,
  verifyCebMessage,
  type FieldProblem,
  type SigningKey,
} from '../eport/ceb';
import { ALIPAY_CN_REGISTRATION_ID } from '../domain/customs-codes';
import { maskIdNumber } from '../domain/identity';
import { iso } from './clock';
import type { CebRules } from './ceb-rules';
import type { DeclarationBook } from './declarations';
import type { PaymentBook } from './payments';
import { CustomsEngine } from './customs/engine';
import { deliveryPlan, type Outgoing } from './customs/delivery';

// The sandbox's customs on the CEB messages: signed filings in (POST /ceb/messages), signed receipts out, by query
// (GET /ceb/receipts) and by callback. The engine decides (sandbox/customs/engine.ts); this book adds what the wire
// needs: idempotency by message guid, receipts that become available on the sandbox clock, and the inventory path
// moving on lazily, each state `stepAfterMs` after the previous one, whenever anyone looks.

export const ALIPAY_CN_NAME = 'Alipay (China) Network Technology Co., Ltd.';

export interface CebCustomsOptions {
  /** The customs' key, which signs every receipt. */
  customsKey: SigningKey;
  /** Public keys (PEM) of the filing companies, by their customs code (copCode). */
  enterprises: Record<string, string>;
}

export type FileResult =
  | { accepted: true; guid: string; messageType: string; orderNo: string; duplicate: boolean }
  | { accepted: false; rule: string; error: string; problems?: FieldProblem[] };

export interface StoredReceipt extends Outgoing {
  availableAt: number;
  sent: boolean;
  sendAttempts: number;
}

interface FiledMessage {
  guid: string;
  messageType: string;
  appType: string;
  at: number;
}

interface Facts {
  filed: FiledMessage[];
  lines?: { gnum: number; itemNo?: string; gcode: string; qty: string; totalPrice: number }[];
  buyerIdNumber?: string;
}

/** What the book keeps of a verified filing; the root's guid is read separately. */
interface Content {
  orderNo: string;
  appType: string;
  lines?: Facts['lines'];
  buyer?: string;
}

const PARSERS: Record<string, (xml: string) => Content> = {
  CEB311Message: (x) => {
    const h = parseCeb311(x).Order.OrderHead;
    return { orderNo: h.orderNo, appType: h.appType, buyer: h.buyerIdNumber };
  },
  CEB511Message: (x) => {
    const h = parseCeb511(x).Logistics.LogisticsHead;
    return { orderNo: h.orderNo, appType: h.appType };
  },
  CEB621Message: (x) => {
    const m = parseCeb621(x).Inventory;
    const lines = m.InventoryList.map((l) => ({ gnum: l.gnum, itemNo: l.itemNo, gcode: l.gcode, qty: l.qty, totalPrice: l.totalPrice }));
    return { orderNo: m.InventoryHead.orderNo, appType: m.InventoryHead.appType, lines, buyer: m.InventoryHead.buyerIdNumber };
  },
  CEB625Message: (x) => {
    const h = parseCeb625(x).InvtRefund.InvtRefundHead;
    return { orderNo: h.orderNo, appType: h.appType, buyer: h.buyerIdNumber };
  },
};

/** The filing company a message names (BaseTransfer's copCode), read before the signature is checked to pick the key. */
function copCodeOf(xml: string): string | undefined {
  return /<(?:[\w-]+:)?BaseTransfer\b[^>]*>[\s\S]*?<(?:[\w-]+:)?copCode>([^<]{1,18})<\/(?:[\w-]+:)?copCode>/.exec(xml)?.[1];
}

/** The root's guid attribute of verified content. */
function rootGuidOf(xml: string): string {
  return /^\s*(?:<\?xml[^>]*\?>\s*)?<[\w:-]+[^>]*?\sguid="([^"]+)"/.exec(xml)?.[1] ?? '';
}

export class CebCustoms {
  readonly engine: CustomsEngine;
  private readonly keys = new Map<string, KeyObject>();
  private readonly seen = new Map<string, { orderNo: string; messageType: string }>();
  private readonly receipts = new Map<string, StoredReceipt[]>();
  /** Receipts for Alipay (CEB412): kept for the tests' view, never served to the merchant. */
  private readonly paymentReceipts = new Map<string, StoredReceipt[]>();
  private readonly nextStepAt = new Map<string, number>();
  private readonly facts = new Map<string, Facts>();
  private readonly declaredReviews = new Set<string>();

  constructor(
    options: CebCustomsOptions,
    private readonly rules: CebRules,
    private readonly payments: PaymentBook,
    private readonly declarations: DeclarationBook,
  ) {
    for (const [copCode, pem] of Object.entries(options.enterprises)) this.keys.set(copCode, createPublicKey(pem));
    this.engine = new CustomsEngine({
      signingKey: options.customsKey,
      keyOf: (copCode) => this.keys.get(copCode),
      pathFor: (orderNo, attempt) => rules.pathFor(orderNo, attempt),
    });
  }

  /** A signed filing. The same message guid again is accepted and processes nothing new. */
  file(xml: string, now: number): FileResult {
    this.tick(now);
    let type: string;
    let from: string | undefined;
    let content: Content & { guid: string };
    try {
      guardXml(xml);
      type = messageTypeOf(xml);
      const parse = PARSERS[type];
      if (!parse) return { accepted: false, rule: 'MESSAGE_TYPE', error: `${type} is not filed by companies` };
      from = copCodeOf(xml);
      const key = from === undefined ? undefined : this.keys.get(from);
      if (!from || !key) {
        return { accepted: false, rule: 'UNKNOWN_COMPANY', error: `no key registered for BaseTransfer copCode ${from ?? '(missing)'}` };
      }
      const signed = verifyCebMessage(xml, { publicKey: key });
      content = { ...parse(signed), guid: rootGuidOf(signed) };
    } catch (error) {
      return refusal(error);
    }
    const previous = this.seen.get(content.guid);
    if (previous)
      return { accepted: true, guid: content.guid, messageType: previous.messageType, orderNo: previous.orderNo, duplicate: true };

    const result = this.engine.receive(xml, from, now);
    if (!result.accepted) return { accepted: false, rule: 'FIELD_RULES', error: result.reason };
    this.seen.set(content.guid, { orderNo: content.orderNo, messageType: type });
    const facts = this.factsOf(content.orderNo);
    facts.filed.push({ guid: content.guid, messageType: type, appType: content.appType, at: now });
    if (content.lines) facts.lines = content.lines;
    if (content.buyer) facts.buyerIdNumber = maskIdNumber(content.buyer);
    this.deliver(this.receipts, result.receipts, now);
    const stored = type === 'CEB621Message' && result.receipts.some((r) => r.returnStatus === '120');
    if (stored) this.nextStepAt.set(content.orderNo, now + this.rules.stepAfterMs(content.orderNo));
    return { accepted: true, guid: content.guid, messageType: type, orderNo: content.orderNo, duplicate: false };
  }

  /** The signed receipts for the merchant available by `now`, in the order they became available. */
  receiptsOf(orderNo: string, now: number): string[] {
    this.tick(now);
    return (this.receipts.get(orderNo) ?? []).filter((r) => r.availableAt <= now).map((r) => r.xml);
  }

  /** Receipts due for the callback, marked as sent by the caller's outcome. */
  dueForCallback(now: number): StoredReceipt[] {
    this.tick(now);
    return [...this.receipts.values()].flat().filter((r) => !r.sent && r.sendAttempts < 3 && r.availableAt <= now);
  }

  /** Moves every inventory path whose next state has come, and shows customs the payments Alipay declared. */
  tick(now: number) {
    this.seePayments(now);
    for (const [orderNo, at] of [...this.nextStepAt]) {
      // With `reverse`, the states that fell due together are one batch, delivered last first.
      const batch = this.rules.deliveryFor(orderNo).reverse === true;
      const together: Outgoing[] = [];
      let due = at;
      while (due <= now) {
        const out = this.engine.advance(orderNo, due);
        if (out.length === 0) break;
        if (batch) together.push(...out);
        else this.deliver(this.receipts, out, due);
        due += Math.max(1, this.rules.stepAfterMs(orderNo));
      }
      this.deliver(this.receipts, together, at);
      if (due <= now || this.engine.inventoryStatus(orderNo) === undefined) this.nextStepAt.delete(orderNo);
      else this.nextStepAt.set(orderNo, due);
    }
  }

  /** What customs holds for an order, for tests; ID numbers masked. */
  view(orderNo: string, now: number) {
    this.tick(now);
    const facts = this.facts.get(orderNo);
    const show = (r: StoredReceipt) => ({
      messageType: r.messageType,
      to: r.to,
      returnStatus: r.returnStatus,
      availableAt: iso(r.availableAt),
      available: r.availableAt <= now,
      sent: r.sent,
    });
    return {
      orderNo,
      filed: (facts?.filed ?? []).map((f) => ({ ...f, at: iso(f.at) })),
      buyerIdNumber: facts?.buyerIdNumber,
      inventoryStatus: this.engine.inventoryStatus(orderNo),
      invtNo: this.engine.invtNoOf(orderNo),
      lines: facts?.lines ?? [],
      returnedValueFen: this.engine.returnedValueFen(orderNo),
      receipts: (this.receipts.get(orderNo) ?? []).map(show),
      paymentReceipts: (this.paymentReceipts.get(orderNo) ?? []).map(show),
    };
  }

  /** Alipay's accepted declarations reach customs as payment documents (CEB411), once per accepted review. */
  private seePayments(now: number) {
    for (const d of this.declarations.declarations.values()) {
      const key = `${d.id}#${d.reviews.length}`;
      if (this.declaredReviews.has(key)) continue;
      const state = this.declarations.reviewState(d, now);
      if (state.status !== 'CUSTOMS_ACCEPT_SUCCESS' || state.returnedAt === undefined) continue;
      this.declaredReviews.add(key);
      const payment = this.payments.get(d.paymentRequestId);
      if (!payment?.payer) continue;
      try {
        const out = this.engine.declarePayment(
          {
            orderNo: d.customsOrderId,
            payCode: ALIPAY_CN_REGISTRATION_ID,
            payName: ALIPAY_CN_NAME,
            payTransactionId: payment.paymentId,
            amountPaidFen: Number(d.request.declarationAmount.value),
            payer: {
              idType: payment.payer.certificateType === 'ID_CARD' ? '1' : '2',
              idNumber: payment.payer.certificateNo,
              name: payment.payer.fullName,
            },
            ebpCode: d.request.merchantCustomsInfo.merchantCustomsCode,
            ebpName: d.request.merchantCustomsInfo.merchantCustomsName,
          },
          state.returnedAt,
        );
        this.deliver(this.paymentReceipts, out, state.returnedAt);
      } catch {
        // A declaration the payment schema refuses (e.g. a merchant code longer than 18): customs has no payment document.
      }
    }
  }

  private deliver(into: Map<string, StoredReceipt[]>, out: readonly Outgoing[], at: number) {
    if (out.length === 0) return;
    const orderNo = out[0].orderNo;
    const plan = deliveryPlan(out, this.rules.deliveryFor(orderNo));
    const list = into.get(orderNo) ?? [];
    for (const d of plan) list.push({ ...d, availableAt: at + d.afterMs, sent: false, sendAttempts: 0 });
    list.sort((a, b) => a.availableAt - b.availableAt);
    into.set(orderNo, list);
  }

  private factsOf(orderNo: string): Facts {
    let f = this.facts.get(orderNo);
    if (!f) this.facts.set(orderNo, (f = { filed: [] }));
    return f;
  }
}

function refusal(error: unknown): FileResult {
  if (error instanceof CebSignatureError) return { accepted: false, rule: 'SIGNATURE', error: error.message };
  if (error instanceof CebXmlRefused) return { accepted: false, rule: 'XML_REFUSED', error: error.message };
  if (error instanceof CebValidationError) {
    return { accepted: false, rule: 'FIELD_RULES', error: error.message, problems: error.problems };
  }
  throw error;
}
