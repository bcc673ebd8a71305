import type { Order } from './order';

// Steps 8 to 10 on the China E-port's own messages (docs/customs.md): what the order files, what comes
// back, and how the two meet. The order workflow, the activities and the sandbox share these contracts.

/** The documents of one customs order, by who files them: the order (CEB311), the waybill (CEB511),
 *  the inventory list (CEB621) and, after release, a return (CEB625). The payment document (CEB411) is
 *  Alipay's, filed by the declare call of step 7. */
export const CUSTOMS_DOCUMENTS = ['ORDER', 'PAYMENT', 'WAYBILL', 'INVENTORY', 'RETURN'] as const;
export type CustomsDocument = (typeof CUSTOMS_DOCUMENTS)[number];
export type FiledDocument = Exclude<CustomsDocument, 'PAYMENT'>;

/** One receipt (CEB312, 412, 512, 622 or 626), verified against the customs' key and read. No buyer data. */
export interface CustomsReceipt {
  document: CustomsDocument;
  /** The customs order number the receipt is about. */
  orderNo: string;
  /** The receipt's own guid: a receipt delivered twice has the same one. */
  guid: string;
  /** The guid of the filing it answers, when the receipt names it. */
  filingGuid?: string;
  returnStatus: string;
  /** returnTime, as ISO 8601 (the message carries China Standard Time, yyyyMMddHHmmssSSS). */
  returnTime: string;
  returnInfo: string;
  /** The customs' number of the inventory list (CEB622 once assigned, CEB626). */
  invtNo?: string;
}

/** A correction an operator makes before a rejected document is filed again; every field is optional. */
export interface ItemCustomsCorrection {
  /** The item's sku, as in the order. */
  sku: string;
  hsCode?: string;
  originCountry?: string;
  unit?: string;
}

/** What the order knows that the customs documents carry. Built by the workflow, filed by an activity. */
export interface CustomsFiling {
  /** The customs order number: the order id, or the split part's reference id. */
  orderNo: string;
  /** 0 the first time; each correction files the document again with the next attempt (appType 2). */
  attempt: number;
  order: Order;
  /** The part's share when the order was split; the whole order otherwise. */
  part?: { amountFen: number; index: number; of: number };
  payment: { paymentId: string; paidAt: string; amountFen: number };
  /** The merchant's customs registration as the declaration used it (it may have been corrected). */
  merchant: { code: string; name: string };
  /** Corrections operators made to the items' customs fields, in the order made. */
  corrections: ItemCustomsCorrection[];
  /** For a RETURN: the inventory list's number and what comes back. */
  goodsReturn?: { invtNo: string; lines: { sku: string; quantity: number }[]; reason: string };
}

export interface FilingReceipt {
  /** The message guid: the same filing sent again (an activity retry) has the same guid and files nothing new. */
  guid: string;
}
