import { RETRANSMIT_GAP_MS, formatCny } from '../../domain/limits';
import { customsCodeOf, customsOrdersOf } from '../../domain/order';
import type { DeclarationCorrection } from '../../domain/order-api';
import { compensate } from './compensation';
import { markStuck, publish, setStage } from './progress';
import { FinalAnswer, callRemote } from './remote-call';
import { iso, type Declaration, type OrderState } from './state';
import { CORRECTION_IN_FLIGHT, since } from './versions';

// Step 7: the payment document goes to customs through Alipay+'s declare: one declaration, or one per
// split part, with ids derived from the order id. Retransmissions reuse the id after Alipay+'s gap.

/** Retransmit a little after the 5 minutes, never on the boundary. */
const RETRANSMIT_MARGIN = 1000;

/** Whether every declaration was sent; when the buyer is not the payer, the payment has been refunded. */
export async function declare(o: OrderState): Promise<boolean> {
  setStage(o, 'DECLARING', 'Alipay+ to accept the customs declaration');
  const customsCode = customsCodeOf(o.order);
  const paid = o.payment.customsDeclarationFen!;
  const parts = customsOrdersOf(o.order);
  const declared = parts.reduce((sum, p) => sum + p.amountFen, 0);
  if (declared > paid) {
    await compensate(
      o,
      `DECLARED_AMOUNT_LIMIT: the parts add up to ${formatCny(declared)}, more than the ${formatCny(paid)} paid`,
      'The order could not be declared to customs. Your payment has been refunded.',
    );
    return false;
  }
  o.declarations = parts.map((p, i) => ({
    declarationId: p.declarationId,
    customsOrderId: p.customsOrderId,
    isSplit: p.isSplit,
    customsCode,
    merchantCustomsCode: o.order.customs.merchantCustomsCode,
    merchantCustomsName: o.order.customs.merchantCustomsName,
    // A plain order declares what Alipay+ says may be declared for the payment.
    amountFen: p.isSplit ? p.amountFen : paid,
    status: 'NOT_SENT',
    attempts: 0,
    corrections: [],
    autoRetransmits: 0,
    // The buyer's certificate goes with the first declaration, which answers whether the buyer is the payer.
    withCertificate: i === 0,
  }));
  for (const d of o.declarations) {
    await sendDeclaration(o, d);
    if (d.identityCheckResult === 'CHECK_NOT_PASSED') {
      await refundBuyerIsNotPayer(o);
      return false;
    }
  }
  return true;
}

/**
 * Customs requires the buyer who orders to be the payer, a real-name verified Alipay user: a CHECK_NOT_PASSED
 * ends the order with a refund. An S answer without identityCheckResult decides nothing; customs' review judges.
 */
export async function refundBuyerIsNotPayer(o: OrderState) {
  await compensate(
    o,
    o.identityGate
      ? "IDENTITY_CHECK_NOT_PASSED: Alipay+'s identity check answered CHECK_NOT_PASSED: the buyer's name and ID number are not the payer's"
      : 'BUYER_IS_NOT_PAYER: Alipay+ reports CHECK_NOT_PASSED; customs requires the buyer who orders to be the payer',
    "Customs requires the person who orders to be the person who pays, with the same name and ID number. Alipay's identity check did not confirm that, so your payment has been refunded.",
  );
}

/** One declare call for a declaration: its first submission or a retransmission. */
export async function sendDeclaration(o: OrderState, d: Declaration) {
  let startedAtMs = Date.now();
  let correctionsBefore = d.corrections.length;
  // A correction that arrives while this call is in flight goes out in the next one, after Alipay+'s gap.
  const correctedInFlight = () => d.corrections.length > correctionsBefore && since(o, CORRECTION_IN_FLIGHT);
  try {
    const r = await callRemote(o, 'declare', `Alipay+ declare ${d.declarationId}`, (via) => {
      // Of the attempt that is answered, after any retries for a configuration answer: it sends the fields as they are now.
      startedAtMs = Date.now();
      correctionsBefore = d.corrections.length;
      return via.alipayPlus(`Step 7: declare ${d.declarationId}${d.attempts > 0 ? ' (retransmission)' : ''}`).declare({
        paymentRequestId: o.payment.paymentRequestId,
        declarationId: d.declarationId,
        customsCode: d.customsCode,
        merchantCustomsCode: d.merchantCustomsCode,
        merchantCustomsName: d.merchantCustomsName,
        amountFen: d.amountFen,
        isSplit: d.isSplit,
        referenceOrderId: d.isSplit ? d.customsOrderId : undefined,
        buyer: d.withCertificate ? o.order.buyer : undefined,
      });
    });
    d.attempts += 1;
    d.lastCallAtMs = Date.now();
    d.lastCallStartedAtMs = startedAtMs;
    d.lastCallAt = iso(d.lastCallAtMs);
    d.lastResultCode = 'SUCCESS';
    d.status = 'SUBMITTED';
    d.retransmitAtMs = d.retransmitAt = d.customsResultCode = d.customsResultDescription = undefined;
    if (r.identityCheckResult) d.identityCheckResult = r.identityCheckResult;
    if (correctedInFlight()) scheduleRetransmit(o, d);
    publish(o);
  } catch (error) {
    if (!(error instanceof FinalAnswer)) throw error;
    // A refused call does not restart Alipay+'s 5-minute clock, so lastCallAt stays as it was.
    d.lastResultCode = error.code;
    if (correctedInFlight()) {
      scheduleRetransmit(o, d);
      return publish(o);
    }
    d.status = 'AWAITING_CORRECTION';
    markStuck(
      o,
      'DECLARE_REFUSED',
      `Alipay+ refused declaration ${d.declarationId} with ${error.code} (${error.message}); an operator must correct it`,
      d.declarationId,
    );
  }
}

/** A retransmission waits until 5 minutes after the last declare call for that id, on a durable timer. */
export function scheduleRetransmit(o: OrderState, d: Declaration) {
  d.status = 'RETRANSMIT_SCHEDULED';
  const gapMs = o.timeouts.retransmitGapMs ?? RETRANSMIT_GAP_MS;
  d.retransmitAtMs = Math.max(Date.now(), (d.lastCallAtMs ?? 0) + gapMs + RETRANSMIT_MARGIN);
  d.retransmitAt = iso(d.retransmitAtMs);
}

/** An operator's correction (its validator checked the rules): change the fields, then retransmit after the gap. */
export function applyCorrection(o: OrderState, c: DeclarationCorrection): Declaration {
  const d = o.declarations.find((x) => x.declarationId === c.declarationId)!;
  const fields: string[] = [];
  if (c.merchantCustomsCode !== undefined) {
    d.merchantCustomsCode = c.merchantCustomsCode;
    fields.push('merchantCustomsCode');
  }
  if (c.merchantCustomsName !== undefined) {
    d.merchantCustomsName = c.merchantCustomsName;
    fields.push('merchantCustomsName');
  }
  if (c.customsCode !== undefined) {
    d.customsCode = c.customsCode;
    fields.push('customsCode');
  }
  if (c.amountFen !== undefined) {
    d.amountFen = c.amountFen;
    fields.push('declarationAmount');
  }
  d.corrections.push({ at: iso(Date.now()), operator: c.operator, reason: c.reason, fields });
  scheduleRetransmit(o, d);
  return d;
}
