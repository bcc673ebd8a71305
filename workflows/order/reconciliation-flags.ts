import { log, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { RECONCILIATION_ISSUES, reconciliationFlagSignal, type ReconciliationFlag } from '../../domain/reconciliation';
import { RECONCILIATION_ISSUE } from '../../domain/search-attributes';
import type { OrderState } from './state';
import { isRecord } from './input-shapes';

// What the daily reconciliation found about this order: kept in the status, and shown in the
// ReconciliationIssue search attribute so operators can list the orders to look at. Orders recorded
// before this handler never received the signal, so their histories replay unchanged.

/**
 * Why a signal's flag is malformed, or undefined. A signal has no validator: a flag the handler cannot read
 * would fail every workflow task that replays it, so the handler checks it and ignores it instead.
 */
export function malformedFlag(f: unknown): string | undefined {
  if (!isRecord(f)) return 'a flag is an object';
  if (typeof f.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(f.date)) return 'date is YYYY-MM-DD';
  if (!Array.isArray(f.codes) || f.codes.length > RECONCILIATION_ISSUES.length) return 'codes is a list of issue codes';
  if (!f.codes.every((c) => (RECONCILIATION_ISSUES as readonly unknown[]).includes(c)))
    return `codes are among ${RECONCILIATION_ISSUES.join(', ')}`;
  if (typeof f.reconciliationId !== 'string' || f.reconciliationId.length > 256)
    return 'reconciliationId is an id of at most 256 characters';
  return undefined;
}

export function registerReconciliationFlags(o: OrderState) {
  setHandler(reconciliationFlagSignal, (f: ReconciliationFlag) => {
    const malformed = malformedFlag(f);
    if (malformed) {
      log.warn('RECONCILIATION_FLAG: malformed reconciliation signal ignored', { problem: malformed });
      return;
    }
    // A run of the same day again replaces that day's findings; other days' stand.
    o.reconciliation = [
      ...o.reconciliation.filter((x) => x.date !== f.date),
      { date: f.date, codes: [...f.codes], reconciliationId: f.reconciliationId },
    ];
    const codes = [...new Set(o.reconciliation.flatMap((x) => x.codes))].sort();
    upsertSearchAttributes([{ key: RECONCILIATION_ISSUE, value: codes.length ? codes : null }]);
  });
}
