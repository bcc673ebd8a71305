import type { CustomsFiling, FiledDocument } from '../../domain/customs-filing';
import { callRemote } from './remote-call';
import { documentOf, newCustomsOrder, stateOf, type CustomsOrder } from './customs-receipts';
import { iso, type Declaration, type OrderState } from './state';

// Step 9 on the e-port's messages: for each customs order the merchant's side files the order document
// (CEB311), the waybill (CEB511) and the inventory list (CEB621). Alipay filed the payment document
// (CEB411) when declare succeeded. Each filing has a guid derived from the order, the document and the
// attempt, so a call tried again files nothing twice.

const SUMMARY = { ORDER: 'order document (CEB311)', WAYBILL: 'waybill (CEB511)', INVENTORY: 'inventory list (CEB621)' } as const;

/** The first filing of every document of every customs order. */
export async function fileCustomsDocuments(o: OrderState) {
  for (const d of o.declarations) {
    let c = o.customs.find((x) => x.orderNo === d.customsOrderId);
    if (!c) o.customs.push((c = newCustomsOrder(d.customsOrderId)));
    for (const kind of ['ORDER', 'WAYBILL', 'INVENTORY'] as const) {
      if (!documentOf(c, kind).filedAt) await fileDocument(o, c, kind);
    }
  }
}

/** Files the documents customs refused once an operator corrected them; a refused list is filed last. */
export async function refileCorrected(o: OrderState, c: CustomsOrder, kinds: readonly ('ORDER' | 'WAYBILL' | 'INVENTORY')[]) {
  for (const kind of kinds) {
    const doc = documentOf(c, kind);
    Object.assign(doc, { attempt: doc.attempt + 1, returnStatus: undefined, returnTime: undefined, returnInfo: undefined });
    if (kind === 'INVENTORY') Object.assign(c, { inspectionSince: undefined, detainedSince: undefined });
    doc.filedAt = undefined;
    await fileDocument(o, c, kind);
  }
}

export async function fileDocument(o: OrderState, c: CustomsOrder, kind: FiledDocument & keyof typeof SUMMARY) {
  const doc = documentOf(c, kind);
  const filing = filingOf(o, c, doc.attempt);
  const receipt = await callRemote(o, 'customsFile', `the ${SUMMARY[kind]} of ${c.orderNo}`, (via) =>
    via.customs(`Step 9: file the ${SUMMARY[kind]} of ${c.orderNo}`).fileCustomsDocument(kind, filing),
  );
  c.filings[kind] = receipt.guid;
  doc.filedAt = iso(Date.now());
  o.documentsFiled += 1;
  c.state = stateOf(c);
}

/** What the documents of one customs order carry, from what the order knows. */
export function filingOf(o: OrderState, c: CustomsOrder, attempt: number): CustomsFiling {
  const i = o.declarations.findIndex((x) => x.customsOrderId === c.orderNo);
  const d: Declaration = o.declarations[i];
  const split = o.declarations.length > 1;
  return {
    orderNo: c.orderNo,
    attempt,
    order: o.order,
    ...(split && { part: { amountFen: d.amountFen, index: i, of: o.declarations.length } }),
    payment: { paymentId: o.payment.paymentId!, paidAt: o.payment.paidAt ?? iso(o.paidAtMs!), amountFen: d.amountFen },
    merchant: { code: d.merchantCustomsCode, name: d.merchantCustomsName },
    corrections: c.corrections.flatMap((x) => x.items),
  };
}
