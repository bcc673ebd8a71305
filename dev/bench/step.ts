import type { OrderInput } from '../../domain/order';
import type { Stack } from '../stack';
import { offerOrders, type OrderSample } from './load';
import { percentiles, type Percentiles } from './stats';

// Step mode: offers orders at a rising rate, one short step after another, until checkout p99 passes
// the limit; the highest rate sustained is the last step that kept it.

export interface StepOptions {
  startRate: number;
  factor: number;
  maxRate: number;
  seconds: number;
  /** Checkout p99 above this ends the steps. */
  p99LimitMs: number;
}

export interface StepResult {
  rate: number;
  startedAt: number;
  endedAt: number;
  orders: number;
  failed: number;
  /** Checkouts completed per second, from the first start to the last return. */
  achievedPerSecond: number;
  checkout: Percentiles;
  sustained: boolean;
  /** Why a step was not sustained. */
  why?: string;
}

/**
 * A step is sustained when every checkout returned and checkout p99 kept the limit; with the checkouts
 * returning that fast, the orders were taken at the rate offered. A step the bench itself could not offer
 * on time (its starts spread over 10% longer than planned) does not count either.
 */
export function judgeStep(rate: number, samples: OrderSample[], p99LimitMs: number, now: number): Omit<StepResult, 'rate' | 'startedAt'> {
  const done = samples.filter((s) => s.checkoutMs !== undefined);
  const checkout = percentiles(done.map((s) => s.checkoutMs!));
  const starts = samples.map((s) => s.startedAt);
  const first = Math.min(...starts);
  const last = Math.max(...done.map((s) => s.startedAt + s.checkoutMs!));
  const achievedPerSecond = done.length / Math.max(0.001, (last - first) / 1000);
  const plannedSpan = ((samples.length - 1) * 1000) / rate;
  const late = Math.max(...starts) - first > 1.1 * plannedSpan + 500;
  const failed = samples.length - done.length;
  const why = [
    failed > 0 ? `${failed} checkout(s) failed` : '',
    checkout.p99 > p99LimitMs ? `checkout p99 ${Math.round(checkout.p99)} ms > ${p99LimitMs} ms` : '',
    late ? 'the bench could not start the orders on time' : '',
  ].filter(Boolean);
  return {
    endedAt: now,
    orders: samples.length,
    failed,
    achievedPerSecond,
    checkout,
    sustained: why.length === 0,
    ...(why.length > 0 && { why: why.join('; ') }),
  };
}

export const stepRates = (o: StepOptions) => {
  const rates: number[] = [];
  for (let r = o.startRate; r <= o.maxRate + 1e-9; r *= o.factor) rates.push(Math.round(r * 10) / 10);
  return rates;
};

/** When the first step is not sustained, this many slower steps (each `factor` slower) look for a rate that is. */
const STEPS_DOWN = 2;

export async function runSteps(
  stack: Stack,
  o: StepOptions,
  nextOrder: (step: number) => OrderInput,
  now: () => number,
  onStep: (rate: number, samples: OrderSample[], done: StepResult[]) => void,
): Promise<{ steps: StepResult[]; samples: OrderSample[] }> {
  const steps: StepResult[] = [];
  const all: OrderSample[] = [];
  const step = async (rate: number) => {
    const startedAt = now();
    const samples = await offerOrders({
      stack,
      phase: `step ${rate}/s`,
      rate,
      seconds: o.seconds,
      nextOrder: () => nextOrder(steps.length),
      now,
      onProgress: (s) => onStep(rate, s, steps),
    });
    all.push(...samples);
    const result = { rate, startedAt, ...judgeStep(rate, samples, o.p99LimitMs, now()) };
    steps.push(result);
    onStep(rate, samples, steps);
    return result.sustained;
  };
  for (const rate of stepRates(o)) if (!(await step(rate))) break;
  // Not even the first rate: a few slower steps, so the report can say which rate is sustained, not only "none".
  if (steps.length === 1 && !steps[0].sustained) {
    for (let k = 1, rate = o.startRate / o.factor; k <= STEPS_DOWN; k++, rate /= o.factor)
      if (await step(Math.round(rate * 10) / 10)) break;
  }
  return { steps, samples: all };
}
