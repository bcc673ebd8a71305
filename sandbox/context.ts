import type { Logger } from 'pino';
import type { SandboxClock } from './clock';
import type { CebCallback } from './ceb-callback';
import type { CebCustoms } from './ceb-customs';
import type { CebRules } from './ceb-rules';
import type { CustomsRules } from './customs-rules';
import type { DeclarationBook } from './declarations';
import type { EPort } from './eport';
import type { Faults } from './faults';
import type { Notifier } from './notifier';
import type { PaymentBook, PaymentSettings } from './payments';
import type { RefundBook } from './refunds';
import type { SettlementFiles } from './settlement-file';

// What the sandbox's routes work on: its books (replaced whole by POST /sandbox/reset), its clock, faults and
// customs rules (kept across a reset), and the keys and client id of the wire protocol.

export interface SandboxState {
  settings: PaymentSettings;
  payments: PaymentBook;
  refunds: RefundBook;
  declarations: DeclarationBook;
  eport: EPort;
  notifier: Notifier;
  settlementFiles: SettlementFiles;
  /** The customs on the CEB messages, when the sandbox has its keys. */
  ceb?: CebCustoms;
  cebRules: CebRules;
  cebCallback?: CebCallback;
}

export interface SandboxContext {
  /** The merchant client id the sandbox trusts. */
  clientId: string;
  keyVersion: number;
  merchantPublicKey: string;
  alipayPlusPrivateKey: string;
  clock: SandboxClock;
  faults: Faults;
  rules: CustomsRules;
  logger?: Logger;
  /** The books in force. */
  state(): SandboxState;
  /** Forgets every payment, declaration and filing, and every rule and fault. */
  reset(): Promise<void>;
}

/** The sandbox clock for an answer that must be given even when the time source fails (a refusal). */
export async function nowForRefusal(ctx: SandboxContext): Promise<number> {
  try {
    return await ctx.clock.now();
  } catch {
    return Date.now();
  }
}
