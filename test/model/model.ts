import { mainlandIdCheckDigit } from '../../domain/identity';
import type { OrderInput } from '../../domain/order';
import type { OrderTimeouts } from '../../domain/order-api';
import { FACE_CREAM, MILK_TIN, itemShares, priced, sampleOrder, type Buyer } from '../../dev/scenarios/orders';
import type { CebRules } from '../../sandbox/helper-client';
import { landingOffsetMs } from '../support/skip-gate';
import type { WorkflowStack } from '../support/temporal';

// The model of one sequence: one buyer, a few orders, and only what the invariants need to know about
// them — what was paid, which refunds were asked for (by the caller's key), which parts customs kept.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The customs paths a part can take in the sandbox's CEB customs. */
export const CUSTOMS_PATHS = ['RELEASE', 'MANUAL_REVIEW', 'INSPECT_THEN_RELEASE', 'DETAIN', 'REJECT', 'RETURN_ABROAD'] as const;
export type CustomsPath = (typeof CUSTOMS_PATHS)[number];
/** Receipts delivered late, twice, or last first. */
export const DELIVERY_FAULTS = ['NONE', 'LATE', 'DUPLICATED', 'REVERSED'] as const;
export type DeliveryFault = (typeof DELIVERY_FAULTS)[number];

/** Paths on which customs lets the goods in. */
export const RELEASING: readonly CustomsPath[] = ['RELEASE', 'MANUAL_REVIEW', 'INSPECT_THEN_RELEASE'];

export interface ModelPart {
  orderNo: string;
  amountFen: number;
  path: CustomsPath;
  /** The sku whose goods this part carries (split orders carry one line each). */
  sku: string;
}

export interface ModelOrder {
  orderId: string;
  input: OrderInput;
  split: boolean;
  parts: ModelPart[];
  /** The customs year of its checkout: the quota entity it counts in. */
  year: number;
  /** The buyer's pay call succeeded at the sandbox. */
  paid: boolean;
  /** An operator's cancel was accepted. */
  cancelled: boolean;
  /** Refunds accepted by the order, by the caller's key, with their amount. */
  refunds: Map<string, number>;
  /** Refund request ids armed to fail at the sandbox. */
  failing: string[];
  /** Goods returns accepted by the order (parts' order numbers). */
  returns: string[];
}

export interface ModelState {
  orders: ModelOrder[];
}

/** What one sequence acts on: the stack, its buyer, and a log of what each command did. */
export interface Real {
  s: WorkflowStack;
  run: string;
  buyer: Buyer;
  /** What each command did; printed as it happens when MODEL_TRACE is set. */
  log: Log;
  /** Refusals by rule: legitimate, recorded, never a failure. */
  refusals: string[];
  /** Checkouts so far, refused ones included: each order id is used once. */
  checkouts: number;
}

const sleeping = new WeakMap<WorkflowStack, Promise<unknown>>();
/** Real time one skip may take: the test server answers a skip at once unless its clock is stuck. */
const SKIP_DEADLINE_MS = 120_000;
/**
 * Skips the test server's time, a little past `ms` (landingOffsetMs). The server keeps one time-skipping
 * lock, so sleeps of sequences that share a stack go one after another (at once they unbalance its lock);
 * their other calls still interleave.
 */
export function skipTime(s: WorkflowStack, ms: number): Promise<void> {
  const skip = () => withDeadline(s.env.sleep(ms + landingOffsetMs(ms)), `skipping ${ms} ms of time`);
  const turn = (sleeping.get(s) ?? Promise.resolve()).then(skip);
  sleeping.set(
    s,
    turn.catch(() => undefined),
  );
  return turn;
}

async function withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // A skip given up on still settles later (at the latest when the server stops): not an unhandled rejection.
  p.catch(() => undefined);
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${SKIP_DEADLINE_MS / 1000} s of real time`)), SKIP_DEADLINE_MS);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A log that can echo each line as it is written, to follow a long run. */
export class Log extends Array<string> {
  constructor(readonly prefix?: string) {
    super();
  }
  override push(...lines: string[]): number {
    if (this.prefix) for (const l of lines) console.log(`${this.prefix} ${l}`);
    return super.push(...lines);
  }
}

/** Short timeouts so detention and deadlines end within a sequence; continue-as-new soon when asked. */
export function timeoutsFor(continueAsNew: boolean): OrderTimeouts {
  return {
    customsReviewDeadlineMs: 48 * HOUR,
    clearanceDeadlineMs: 72 * HOUR,
    detentionDeadlineMs: 2 * DAY,
    ...(continueAsNew && { continueAsNewAfterEvents: 60 }),
  };
}

let buyers = 0;
/**
 * A buyer no other sequence in this process shares (so quotas are per sequence): a mainland ID whose
 * birth date and sequence number count up, away from the 1990-01-01 buyers of the other tests.
 */
export function modelBuyer(): Buyer {
  const n = buyers++;
  const birth = new Date(Date.UTC(1970, 0, 1) + Math.floor(n / 1000) * DAY).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `330106${birth}${String(n % 1000).padStart(3, '0')}`;
  return { fullName: `模型买家${n}`, certificateType: 'ID_CARD', certificateNo: first17 + mainlandIdCheckDigit(first17) };
}

const TWO_TINS = [{ ...MILK_TIN, quantity: 2 }];
const TIN_AND_CREAM = [{ ...MILK_TIN }, { ...FACE_CREAM }];

/** A single order of two tins, or a split order of a tin and a jar of cream, one part each. */
export function modelOrder(orderId: string, buyer: Buyer, paths: CustomsPath[]): { input: OrderInput; parts: ModelPart[] } {
  if (paths.length === 1) {
    const input = sampleOrder({ name: orderId, prefix: '', buyer, ...priced(TWO_TINS) });
    return { input, parts: [{ orderNo: orderId, amountFen: input.totalFen, path: paths[0], sku: MILK_TIN.sku }] };
  }
  const shares = itemShares(TIN_AND_CREAM);
  const parts = TIN_AND_CREAM.map((item, i) => ({ orderNo: `${orderId}-P${i + 1}`, amountFen: shares[i], path: paths[i], sku: item.sku }));
  const splitParts = parts.map((p) => ({ referenceOrderId: p.orderNo, amountFen: p.amountFen }));
  const input = sampleOrder({ name: orderId, prefix: '', buyer, ...priced(TIN_AND_CREAM), splitParts });
  return { input, parts };
}

type OrderRule = NonNullable<CebRules['orders']>[string];

/** The sandbox's CEB rule for one part: its path, and how its receipts come. */
export function cebRuleOf(path: CustomsPath, fault: DeliveryFault): OrderRule {
  const kind =
    path === 'DETAIN'
      ? { kind: path, code: '599' as const, reason: 'held for a licence check' }
      : path === 'REJECT'
        ? { kind: path, reason: 'gcode does not match the goods' }
        : path === 'RETURN_ABROAD'
          ? { kind: path, reason: 'goods not admitted' }
          : { kind: path };
  const delivery =
    fault === 'LATE'
      ? { delayMs: 3 * MINUTE }
      : fault === 'DUPLICATED'
        ? { duplicate: [0], duplicateAfterMs: 30_000 }
        : fault === 'REVERSED'
          ? { reverse: true }
          : undefined;
  return { paths: [kind], stepAfterMs: MINUTE, ...(delivery && { delivery }) };
}

/** The order in one line, for the reports. */
export const describeOrder = (o: ModelOrder) =>
  `${o.orderId} (${o.split ? 'split' : 'single'}: ${o.parts.map((p) => `${p.orderNo} ${p.path} ${p.amountFen}`).join(', ')})`;
