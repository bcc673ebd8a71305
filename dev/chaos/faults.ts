import { APIS } from '../../alipay-plus';
import type { FaultConfig } from '../../sandbox/helper-client';
import { sleep } from '../scenarios/run';
import type { Stack } from '../stack';

// The faults of a chaos run: the sandbox's faults, on for the whole run, and the process kills and the
// window of F answers, spread over the time the orders are being started.

/** The sandbox's faults for the whole run: U, HTTP 500, traffic limits, lost and duplicated notifications. */
export function sandboxFaults(seed: number, finalWindows: FaultConfig['finalWindows'] = []): FaultConfig {
  // The next few calls on the paths that move money or declare fail after they took effect: only the
  // idempotency keys keep the retries from paying, declaring or refunding twice.
  const afterEffect = [APIS.pay.path, APIS.declare.path, APIS.refund.path].flatMap((path) => [
    { kind: 'U' as const, count: 3, path, afterEffect: true },
    { kind: 'HTTP_500' as const, count: 3, path, afterEffect: true },
  ]);
  return {
    uResultRate: 0.03,
    http500Rate: 0.03,
    trafficLimitRate: 0.02,
    dropNotificationRate: 0.1,
    duplicateNotificationRate: 0.1,
    next: afterEffect,
    finalWindows,
    seed,
  };
}

export type FaultEventKind = 'worker-kill' | 'server-kill' | 'receiver-kill' | 'final-window';

export interface FaultEvent {
  kind: FaultEventKind;
  /** From the start of the orders. */
  atMs: number;
}

export interface FaultTiming {
  /** How long the orders are being started: the faults are spread over it. */
  spanMs: number;
  /** How long a killed worker or receiver stays down. */
  downMs: number;
  /** How long the window of F answers stays open. */
  finalWindowMs: number;
  seed: number;
}

/** Three worker kills, one server kill, one receiver kill and one F window, at fixed shares of the span. */
export function faultSchedule(spanMs: number): FaultEvent[] {
  const at = (share: number) => Math.round(share * spanMs);
  return [
    { kind: 'worker-kill', atMs: at(0.15) },
    { kind: 'server-kill', atMs: at(0.3) },
    { kind: 'worker-kill', atMs: at(0.45) },
    { kind: 'final-window', atMs: at(0.5) },
    { kind: 'receiver-kill', atMs: at(0.65) },
    { kind: 'worker-kill', atMs: at(0.8) },
  ];
}

/** The F window: configuration errors on the two calls an order keeps polling, payment and customs review. */
export const finalWindowsOf = (durationMs: number): FaultConfig['finalWindows'] => [
  { resultCode: 'INVALID_SIGNATURE', path: APIS.inquireDeclarationRequests.path, durationMs },
  { resultCode: 'INVALID_SIGNATURE', path: APIS.inquiryPayment.path, durationMs },
];

/** Does one fault to the stack; returns what happened, in words. */
export async function inject(stack: Stack, kind: FaultEventKind, t: FaultTiming): Promise<string> {
  switch (kind) {
    case 'worker-kill':
      await stack.stopWorker('SIGKILL');
      await sleep(t.downMs);
      await stack.startWorker();
      return `worker killed (SIGKILL), restarted after ${t.downMs / 1000} s`;
    case 'server-kill': {
      const started = Date.now();
      await stack.restartServer();
      // The worker usually rides it out; if it exited meanwhile, it is started again here.
      const workerSurvived = stack.workerRunning();
      if (!workerSurvived) await stack.startWorker();
      return `Temporal server killed (SIGKILL), answering again after ${((Date.now() - started) / 1000).toFixed(1)} s; worker ${workerSurvived ? 'survived' : 'had exited, restarted'}`;
    }
    case 'receiver-kill':
      await stack.stopReceiver('SIGKILL');
      await sleep(t.downMs);
      await stack.startReceiver();
      return `notify receiver killed (SIGKILL), restarted after ${t.downMs / 1000} s`;
    case 'final-window':
      await stack.helpers.faults(sandboxFaults(t.seed + 1, finalWindowsOf(t.finalWindowMs)));
      return `F INVALID_SIGNATURE on inquiryPayment and inquireDeclarationRequests for ${t.finalWindowMs / 1000} s`;
  }
}

/** Runs the schedule from `startedAt`; tells each fault as it is done. */
export async function runSchedule(
  stack: Stack,
  events: FaultEvent[],
  t: FaultTiming,
  startedAt: number,
  told: (line: string) => void,
): Promise<void> {
  for (const e of [...events].sort((a, b) => a.atMs - b.atMs)) {
    await sleep(Math.max(0, startedAt + e.atMs - Date.now()));
    told(await inject(stack, e.kind, t));
  }
}
