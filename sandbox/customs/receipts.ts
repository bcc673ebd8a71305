import { buildCeb312, buildCeb412, buildCeb512, buildCeb622, buildCeb626, type PaymentHead } from '../../eport/ceb';
import type { PaymentDeclaration } from './payment-declaration';

// The receipts the sandbox's customs writes, each through its message's schema, and the payment
// document it builds from Alipay's declaration.

export type ReceiptType = 'CEB312Message' | 'CEB412Message' | 'CEB512Message' | 'CEB622Message' | 'CEB626Message';

/** The fields of one return element besides returnStatus, returnTime and returnInfo. */
export type ReturnFields = Record<string, string | undefined>;

const BUILDERS: Record<ReceiptType, (guid: string, item: Record<string, unknown>) => string> = {
  CEB312Message: (guid, item) => buildCeb312({ guid, version: '1.0', OrderReturn: [item as never] }),
  CEB412Message: (guid, item) => buildCeb412({ guid, version: '1.0', PaymentReturn: [item as never] }),
  CEB512Message: (guid, item) => buildCeb512({ guid, version: '1.0', LogisticsReturn: [item as never] }),
  CEB622Message: (guid, item) => buildCeb622({ guid, version: '1.0', InventoryReturn: [item as never] }),
  CEB626Message: (guid, item) => buildCeb626({ guid, version: '1.0', InvtRefundReturn: [item as never] }),
};

export function receiptXml(
  type: ReceiptType,
  guid: string,
  fields: ReturnFields,
  returnStatus: string,
  returnInfo: string,
  at: number,
): string {
  return BUILDERS[type](guid, { ...fields, returnStatus, returnTime: cst(at), returnInfo });
}

/** The CEB411 payment head that customs sees when Alipay's declare succeeds. */
export function paymentHeadOf(d: PaymentDeclaration, guid: string, at: number): PaymentHead {
  return {
    guid,
    appType: '1',
    appTime: cst(at),
    appStatus: '2',
    payCode: d.payCode,
    payName: d.payName,
    payTransactionId: d.payTransactionId,
    orderNo: d.orderNo,
    ebpCode: d.ebpCode,
    ebpName: d.ebpName,
    payerIdType: d.payer.idType,
    payerIdNumber: d.payer.idNumber,
    payerName: d.payer.name,
    telephone: undefined,
    amountPaid: d.amountPaidFen,
    currency: '142',
    payTime: cst(at),
    note: undefined,
  };
}

/** YYYYMMDDhhmmss in China Standard Time. */
export function cst(at: number): string {
  return new Date(at + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
