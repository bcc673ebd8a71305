import { iso } from './clock';
import type { DeclarationBook } from './declarations';
import type { EPort } from './eport';
import type { Faults } from './faults';
import type { Notifier } from './notifier';
import type { PaymentBook } from './payments';
import type { RefundBook } from './refunds';

// GET /sandbox/ledger: every effect the sandbox saw, for tests that prove each happened exactly once.
// PII is masked. Its type is the sandbox's own, so the helper client that reads it is typed too.

export interface LedgerSources {
  payments: PaymentBook;
  refunds: RefundBook;
  declarations: DeclarationBook;
  notifier: Notifier;
  eport: EPort;
  faults: Faults;
}

export function ledgerOf(s: LedgerSources, now: number) {
  return {
    now: iso(now),
    payments: [...s.payments.payments.values()].map((p) => s.payments.summary(p)),
    declarations: [...s.declarations.declarations.values()].map((d) => s.declarations.summary(d, now)),
    refunds: [...s.refunds.refunds.values()].map((r) => s.refunds.summary(r, now)),
    notifications: s.notifier.deliveries.map((d) => ({
      paymentRequestId: d.paymentRequestId,
      notifyType: d.notifyType,
      refundRequestId: d.refundRequestId,
      acknowledged: d.acknowledged,
      nextAttemptAt: d.nextAt === undefined ? undefined : iso(d.nextAt),
      attempts: d.attempts.map((a) => ({ ...a, at: iso(a.at) })),
    })),
    eport: [...s.eport.filings.values()].map((f) => s.eport.summary(f)),
    faultsInjected: s.faults.injected.map((f) => ({ ...f, at: iso(f.at) })),
  };
}

/** The ledger as GET /sandbox/ledger answers it. */
export type SandboxLedger = ReturnType<typeof ledgerOf>;
