// What an order does with a final (F) answer, per call and per result code: the one table.
//
// Once money may have been taken, no F answer ends an order by failing its workflow. An answer either
// has a branch in the step that made the call (a refused declaration waits for a correction, a payment
// closed meanwhile is inquired), or means the call's purpose is met already, or makes the order stuck
// while the call is tried again: soon for a configuration mistake, which fixing the keys heals in every
// order at once, and hourly (or when an operator asks) for an answer nobody expected.

/** Every remote call an order makes after checkout; `pay` is at checkout, before any money moves. */
export type RemoteCall =
  | 'inquiryPayment'
  | 'cancelPayment'
  | 'declare'
  | 'refund'
  | 'inquiryRefund'
  | 'inquireDeclarationRequests'
  | 'eportOrderDocument'
  | 'eportWaybill'
  | 'eportClearance'
  | 'customsFile'
  | 'customsReceipts'
  | 'quotaCommit'
  | 'quotaReturn'
  | 'quotaRelease'
  | 'quotaMarkPaid'
  | 'quotaClose';

export type FinalAnswerHandling =
  /** The keys, the client id or the API access are wrong: stuck, and tried again after 1, 2, 5, 10, 30, then every 60 minutes. */
  | 'RETRY_WHEN_CONFIGURED'
  /** The step that made the call has a branch for this answer. */
  | 'STEP_DECIDES'
  /** The call's purpose is met already: go on as if it had succeeded. */
  | 'ALREADY_DONE'
  /** Nobody expected it: stuck, tried again hourly or when an operator asks, until an operator acts. */
  | 'OPERATOR_DECIDES';

/**
 * Answers a configuration fix heals, from the Alipay+ common result codes: a rotated or missing key
 * (INVALID_SIGNATURE, KEY_NOT_FOUND), an unknown or disabled client (INVALID_CLIENT, INVALID_CLIENT_STATUS),
 * no access to the API (ACCESS_DENIED, NO_INTERFACE_DEF), a request the client builds wrongly for every
 * order (METHOD_NOT_SUPPORTED, MEDIA_TYPE_NOT_ACCEPTABLE). The e-port's own refusal of our credentials
 * is EPORT_UNAUTHORIZED.
 */
export const CONFIGURATION_CODES: readonly string[] = [
  'INVALID_SIGNATURE',
  'KEY_NOT_FOUND',
  'INVALID_CLIENT',
  'INVALID_CLIENT_STATUS',
  'ACCESS_DENIED',
  'NO_INTERFACE_DEF',
  'METHOD_NOT_SUPPORTED',
  'MEDIA_TYPE_NOT_ACCEPTABLE',
  'EPORT_UNAUTHORIZED',
];

interface CallAnswers {
  /** Codes with a handling of their own. */
  codes: Record<string, FinalAnswerHandling>;
  /** Every other code that is not a configuration code. */
  otherwise: FinalAnswerHandling;
}

const FINAL_ANSWERS: Record<RemoteCall, CallAnswers> = {
  inquiryPayment: { codes: {}, otherwise: 'OPERATOR_DECIDES' },
  // The payment was paid meanwhile: the step inquires it and refunds.
  // No such payment: a pay call interrupted by a cancel never reached Alipay+ (closeOpenPayment).
  cancelPayment: { codes: { INVALID_ORDER_STATUS: 'STEP_DECIDES', ORDER_NOT_EXIST: 'STEP_DECIDES' }, otherwise: 'OPERATOR_DECIDES' },
  // A refused declaration waits for an operator's correction; its id stays, so the correction retransmits it.
  declare: { codes: {}, otherwise: 'STEP_DECIDES' },
  // A refused refund leaves the order stuck with REFUND_FAILED until an operator retries it or settles it by hand.
  refund: { codes: {}, otherwise: 'STEP_DECIDES' },
  // The order follows an accepted refund: an F answer to the inquiry is nobody's plan.
  inquiryRefund: { codes: {}, otherwise: 'OPERATOR_DECIDES' },
  inquireDeclarationRequests: { codes: {}, otherwise: 'OPERATOR_DECIDES' },
  // The e-port answers 409 when the document was filed and customs decided on it: a retry after a lost answer.
  eportOrderDocument: { codes: { EPORT_ALREADY_DECIDED: 'ALREADY_DONE' }, otherwise: 'OPERATOR_DECIDES' },
  eportWaybill: { codes: { EPORT_ALREADY_DECIDED: 'ALREADY_DONE' }, otherwise: 'OPERATOR_DECIDES' },
  eportClearance: { codes: {}, otherwise: 'OPERATOR_DECIDES' },
  // A filing the e-port refuses outright (not a receipt: a transport refusal) is nobody's plan: the same guid
  // is filed again hourly or on poll-now, and files nothing twice.
  customsFile: { codes: {}, otherwise: 'OPERATOR_DECIDES' },
  customsReceipts: { codes: {}, otherwise: 'OPERATOR_DECIDES' },
  // An entity that is not running (QUOTA_ENTITY_CLOSED) cannot count the goods: stuck until an operator reopens it.
  quotaCommit: { codes: { QUOTA_ENTITY_CLOSED: 'OPERATOR_DECIDES' }, otherwise: 'OPERATOR_DECIDES' },
  // The same return again (its returnId) gives nothing back twice. A closed entity cannot take it: stuck, as above.
  quotaReturn: { codes: { QUOTA_ENTITY_CLOSED: 'OPERATOR_DECIDES' }, otherwise: 'OPERATOR_DECIDES' },
  // Committed means customs cleared the order: nothing is left to give back. A closed entity holds no reservation.
  quotaRelease: { codes: { QUOTA_ALREADY_COMMITTED: 'ALREADY_DONE', QUOTA_ENTITY_CLOSED: 'ALREADY_DONE' }, otherwise: 'OPERATOR_DECIDES' },
  // No room left for a paid order whose unpaid hold had lapsed: the order refunds. A closed entity: stuck, as above.
  quotaMarkPaid: {
    codes: { ANNUAL_QUOTA_EXCEEDED: 'STEP_DECIDES', QUOTA_ENTITY_CLOSED: 'OPERATOR_DECIDES' },
    otherwise: 'OPERATOR_DECIDES',
  },
  // The order is final for the quota: an entity that ended already keeps nothing open for it.
  quotaClose: { codes: { QUOTA_ENTITY_CLOSED: 'ALREADY_DONE' }, otherwise: 'OPERATOR_DECIDES' },
};

/** Whether the step of this call handles every answer the table gives it no other handling for. */
export function stepDecidesOtherwise(call: RemoteCall): boolean {
  return FINAL_ANSWERS[call].otherwise === 'STEP_DECIDES';
}

export function finalAnswerHandling(call: RemoteCall, code: string): FinalAnswerHandling {
  const answers = FINAL_ANSWERS[call];
  if (answers.codes[code]) return answers.codes[code];
  if (CONFIGURATION_CODES.includes(code)) return 'RETRY_WHEN_CONFIGURED';
  return answers.otherwise;
}
