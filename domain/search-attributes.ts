import { defineSearchAttributeKey } from '@temporalio/common';

// What operators filter orders by, in the Web UI and `temporal workflow list --query`.
// Registered on the dev server, in docker-compose and in tests.

export const ORDER_STAGE = defineSearchAttributeKey('OrderStage', 'KEYWORD');
export const PAYMENT_STATUS = defineSearchAttributeKey('PaymentStatus', 'KEYWORD');
export const DECLARATION_STATUS = defineSearchAttributeKey('DeclarationStatus', 'KEYWORD');
export const CUSTOMS_CODE = defineSearchAttributeKey('CustomsCode', 'KEYWORD');
/** A short code of why the order is stuck (the full reason is in the status and the current details). */
export const STUCK_REASON = defineSearchAttributeKey('StuckReason', 'KEYWORD');
/**
 * Where the order's refunds stand: PROCESSING while one waits for Alipay+'s cut-off or funds, FAILED while
 * a failed one waits for an operator, SETTLED once all are final. Unset for an order without refunds.
 */
export const REFUND_STATUS = defineSearchAttributeKey('RefundStatus', 'KEYWORD');
/**
 * Where the order's customs orders stand at the e-port (domain/order-api.ts CUSTOMS_STATES), the one needing
 * attention first. Unset on orders before the e-port's messages.
 */
export const CUSTOMS_STATUS = defineSearchAttributeKey('CustomsStatus', 'KEYWORD');
/** When the order entered its stage, for queries such as "waiting on customs for more than 2 hours". */
export const STAGE_SINCE = defineSearchAttributeKey('StageSince', 'DATETIME');

/** The kinds of mismatch the daily reconciliation found about the order (domain/reconciliation.ts). */
export const RECONCILIATION_ISSUE = defineSearchAttributeKey('ReconciliationIssue', 'KEYWORD_LIST');

export const ORDER_SEARCH_ATTRIBUTES = [
  ORDER_STAGE,
  PAYMENT_STATUS,
  DECLARATION_STATUS,
  CUSTOMS_CODE,
  STUCK_REASON,
  STAGE_SINCE,
  REFUND_STATUS,
  RECONCILIATION_ISSUE,
  CUSTOMS_STATUS,
];

/** The type names `temporal operator search-attribute create` and `start-dev --search-attribute` take. */
export const cliTypeOf = (key: (typeof ORDER_SEARCH_ATTRIBUTES)[number]) =>
  key.type === 'DATETIME' ? 'Datetime' : key.type === 'KEYWORD_LIST' ? 'KeywordList' : 'Keyword';
