import { fenToYuan as yuan } from '../../eport/ceb';
import type { InventoryHead, InventoryListItem, LogisticsHead, OrderHead, PaymentHead } from '../../eport/ceb';

// The three-document match: order, payment and waybill agree by orderNo, and the inventory list
// agrees with them. Each rule broken is one line of the rejection's returnInfo.

export interface Documents {
  order?: OrderHead;
  payment?: PaymentHead;
  waybill?: LogisticsHead;
}

export function matchProblems(docs: Documents, head: InventoryHead, lines: readonly InventoryListItem[]): string[] {
  const { order, payment, waybill } = docs;
  const missing = [!order && 'order (CEB311)', !payment && 'payment (CEB411)', !waybill && 'waybill (CEB511)'].filter(Boolean);
  if (!order || !payment || !waybill) return [`missing ${missing.join(', ')} for order ${head.orderNo}`];
  const problems: string[] = [];
  if (payment.amountPaid !== order.acturalPaid) {
    problems.push(`order acturalPaid ${yuan(order.acturalPaid)} differs from the payment's amountPaid ${yuan(payment.amountPaid)}`);
  }
  if (payment.payTransactionId !== order.payTransactionId) problems.push("order payTransactionId differs from the payment's");
  if (payment.payerIdType !== order.buyerIdType || payment.payerIdNumber !== order.buyerIdNumber || payment.payerName !== order.buyerName) {
    problems.push("the buyer differs from the payment's verified payer");
  }
  if (waybill.logisticsNo !== head.logisticsNo || waybill.logisticsCode !== head.logisticsCode) {
    problems.push("the list's logisticsNo differs from the waybill's");
  }
  if (head.buyerIdNumber !== order.buyerIdNumber || head.buyerName !== order.buyerName)
    problems.push("the list's buyer differs from the order's");
  if (head.ebcCode !== order.ebcCode || head.ebpCode !== order.ebpCode) problems.push("the list's companies differ from the order's");
  const listValue = lines.reduce((sum, l) => sum + l.totalPrice, 0);
  if (listValue !== order.goodsValue)
    problems.push(`the list's goods value ${yuan(listValue)} differs from the order's goodsValue ${yuan(order.goodsValue)}`);
  return problems;
}
