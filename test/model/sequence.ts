import fc from 'fast-check';
import { Cancel, Checkout, FailNextRefund, Pay, Refund, ResolveFailedRefund, RestartWorker, ReturnGoods, Skip } from './commands';
import { AwaitSettled, PayDuringCancel } from './commands-timing';
import { CUSTOMS_PATHS, DAY, DELIVERY_FAULTS, HOUR, MINUTE, type CustomsPath, type ModelState, type Real } from './model';

// The random sequences: orders of one buyer, checked out, paid, cancelled, refunded, returned, with time
// skipped between. Indexes name the orders by their place; commands on an order not yet there are skipped.

/** An order by its place, counted round the orders checked out so far. */
const order = fc.integer({ min: 0, max: 3 });
/** Most goods are released; every other path comes up often enough to meet the others. */
const path: fc.Arbitrary<CustomsPath> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<CustomsPath>('RELEASE') },
  { weight: 3, arbitrary: fc.constantFrom(...CUSTOMS_PATHS.filter((p) => p !== 'RELEASE')) },
);
const checkout = fc
  .record({
    paths: fc.oneof(
      path.map((p) => [p]),
      fc.tuple(path, path),
    ),
    fault: fc.oneof(
      { weight: 3, arbitrary: fc.constant(DELIVERY_FAULTS[0]) },
      { weight: 1, arbitrary: fc.constantFrom(...DELIVERY_FAULTS) },
    ),
    continueAsNew: fc.boolean(),
    payNow: fc.boolean(),
  })
  .map(({ paths, fault, continueAsNew, payNow }) => new Checkout(paths, fault, continueAsNew, payNow));
/** 31 minutes: past the default 30-minute payment expiry. */
const skip = fc.constantFrom(5 * MINUTE, 31 * MINUTE, 3 * HOUR, DAY, 3 * DAY).map((ms) => new Skip(ms));

export interface SequenceShape {
  maxCommands: number;
  /** Include worker restarts (they shut down the worker every sequence on the stack shares). */
  restarts: boolean;
}

type Cmd = fc.AsyncCommand<ModelState, Real>;

/** A sequence prints the commands that ran (fast-check's commands print themselves so). */
export interface Sequence extends Iterable<Cmd> {
  toString(): string;
}

/** Every sequence starts with a checkout, so the commands after it have an order to act on. */
export function sequences({ maxCommands, restarts }: SequenceShape): fc.Arbitrary<Sequence> {
  const refund = fc
    .tuple(order, fc.integer({ min: 0, max: 2 }), fc.constantFrom(1_000, 5_000, 0))
    .map(([i, k, fen]) => new Refund(i, k, fen));
  const returnGoods = fc.tuple(order, fc.integer({ min: 0, max: 1 })).map(([i, p]) => new ReturnGoods(i, p));
  const awaitSettled = order.map((i) => new AwaitSettled(i));
  // Listed twice or thrice: drawn that much more often.
  const rest = fc.commands<ModelState, Real, false>(
    [
      checkout,
      checkout,
      order.map((i) => new Pay(i)),
      order.map((i) => new PayDuringCancel(i)),
      order.map((i) => new Cancel(i)),
      skip,
      awaitSettled,
      awaitSettled,
      refund,
      refund,
      refund,
      order.map((i) => new FailNextRefund(i)),
      fc.tuple(order, fc.constantFrom('RETRY' as const, 'SETTLED_OUTSIDE_ALIPAY' as const)).map(([i, a]) => new ResolveFailedRefund(i, a)),
      returnGoods,
      returnGoods,
      ...(restarts ? [fc.constant(new RestartWorker())] : []),
    ],
    { maxCommands, size: 'max' },
  );
  return fc.tuple(checkout, rest).map(([first, cmds]) => ({
    *[Symbol.iterator]() {
      yield first;
      yield* cmds;
    },
    // fast-check's commands print only those that ran, after a run.
    toString: () => `${first.toString()}, ${String(cmds as Sequence).replace(/ \/\*replayPath=.*\*\//, '')}`,
  }));
}
