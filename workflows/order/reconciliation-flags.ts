import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { reconciliationFlagSignal, type ReconciliationFlag } from '../../domain/reconciliation';
import { RECONCILIATION_ISSUE } from '../../domain/search-attributes';
import type { OrderState } from './state';

// What the daily reconciliation found about this order: kept in the status, and shown in the
// ReconciliationIssue search attribute so operators can list the orders to look at. Orders recorded
// before this handler never received the signal, so their histories replay unchanged.

export function registerReconciliationFlags(o: OrderState) {
  setHandler(reconciliationFlagSignal, (f: ReconciliationFlag) => {
    // A run of the same day again replaces that day's findings; other days' stand.
    o.reconciliation = [...o.reconciliation.filter((x) => x.date !== f.date), { ...f, codes: [...f.codes] }];
    const codes = [...new Set(o.reconciliation.flatMap((x) => x.codes))].sort();
    upsertSearchAttributes([{ key: RECONCILIATION_ISSUE, value: codes.length ? codes : null }]);
  });
}
