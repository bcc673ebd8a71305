import {
  RECONCILIATION_ISSUES,
  type ReconciliationIssue,
  type ReconciliationIssueCode,
  type SettlementLine,
} from '../../domain/reconciliation';

// The reconciliation's report: its result, and the markdown the Web UI shows as its current details.

export interface ReconciliationReport {
  date: string;
  /** Lines in Alipay+'s file: payments and refunds. */
  payments: number;
  refunds: number;
  /** Orders read: those that moved money that day, and those the file names. */
  ordersChecked: number;
  issues: ReconciliationIssue[];
  counts: Partial<Record<ReconciliationIssueCode, number>>;
  /** Orders told of their issues (they show them in the ReconciliationIssue search attribute). */
  ordersFlagged: string[];
  /** Orders with issues that could not be told (ended, or not found), and why. */
  ordersNotFlagged: { orderId: string; why: string }[];
}

export function newReport(date: string, lines: SettlementLine[], ordersChecked: number, issues: ReconciliationIssue[]) {
  const counts: ReconciliationReport['counts'] = {};
  for (const i of issues) counts[i.code] = (counts[i.code] ?? 0) + 1;
  return {
    date,
    payments: lines.filter((l) => l.transactionType === 'PAYMENT').length,
    refunds: lines.filter((l) => l.transactionType === 'REFUND').length,
    ordersChecked,
    issues,
    counts,
    ordersFlagged: [],
    ordersNotFlagged: [],
  } satisfies ReconciliationReport as ReconciliationReport;
}

/** One line for logs, the CLI and the demo. */
export function summaryLine(r: ReconciliationReport): string {
  const kinds = RECONCILIATION_ISSUES.filter((c) => r.counts[c]).map((c) => `${c} ${r.counts[c]}`);
  return (
    `reconciliation ${r.date}: ${r.payments} payment(s), ${r.refunds} refund(s) in the file, ${r.ordersChecked} order(s) checked, ` +
    (kinds.length ? `${r.issues.length} issue(s): ${kinds.join(', ')}` : 'no issues')
  );
}

/** The current details the Web UI shows: the counts, then the issues (at most 50, the rest is in the result). */
export function detailsOf(r: ReconciliationReport): string {
  const shown = r.issues.slice(0, 50);
  return [
    `**Day:** ${r.date}`,
    `**File:** ${r.payments} payment(s), ${r.refunds} refund(s); **orders checked:** ${r.ordersChecked}`,
    r.issues.length === 0 ? '**No issues.**' : `**Issues (${r.issues.length}):**`,
    ...RECONCILIATION_ISSUES.filter((c) => r.counts[c]).map((c) => `- ${c}: ${r.counts[c]}`),
    ...shown.map((i) => `- \`${i.code}\`${i.orderId ? ` order \`${i.orderId}\`` : ''}: ${i.detail}`),
    ...(r.issues.length > shown.length ? [`- … ${r.issues.length - shown.length} more in the result`] : []),
    ...(r.ordersNotFlagged.length
      ? [`**Not flagged on the order:** ${r.ordersNotFlagged.map((o) => `${o.orderId} (${o.why})`).join(', ')}`]
      : []),
  ].join('\n');
}
