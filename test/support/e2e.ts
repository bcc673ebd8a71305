import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orderStatus } from '../../client/orders';
import { projectRoot } from '../../platform/paths';
import { LOCAL_REFUND_SETTLE_DELAY_MS } from '../../dev/scenarios/run';
import { attachStack, startStack, stackAddressSchema, type Stack, type StackOptions } from '../../dev/stack';
import type { OrderStatus } from '../../domain/order-api';
import type { CustomsRules } from '../../sandbox/helper-client';

// End-to-end tests on the real product: `temporal server start-dev`, the sandbox, the notify receiver
// and the worker, each its own process on loopback, started by dev/stack.ts on free ports.

/** The sandbox's customs answers in seconds, so the order asks it every second, not 30 s, 1, 2 minutes apart. */
export const CUSTOMS_TIMEOUTS = { customsReviewDeadlineMs: 600_000, clearanceDeadlineMs: 600_000, customsPollGapMs: 1_000 };
export const FAST_CUSTOMS: CustomsRules = {
  default: { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 1_000, decisionAfterMs: 2_000 },
  clearance: { default: { decision: 'RELEASE', afterMs: 1_000 } },
};

/** One stack per test file, with its logs in a fresh folder under the OS temp dir. */
export async function startE2EStack(name: string, options: Pick<StackOptions, 'notifyRequestTimeWindowMs'> = {}): Promise<Stack> {
  const logDir = mkdtempSync(join(tmpdir(), `alipay-e2e-${name}-`));
  // Refunds are processed 5 s after they are submitted, not at the next daily cut-off (docs/sandbox.md).
  return startStack({ logDir, refundSettleDelayMs: LOCAL_REFUND_SETTLE_DELAY_MS, ...options });
}

/** Set by the test runner (dev/test.ts) to the address of the stack it started for the files that share one. */
export const SHARED_STACK_ENV = 'E2E_SHARED_STACK';

/** The options of the shared stack: those of `startE2EStack` with none of a file's own. */
export const startSharedE2EStack = () => startE2EStack('shared');

/**
 * A stack for a file that neither kills its processes nor moves the sandbox's clock or faults: the runner's
 * shared one when it started one, else one of the file's own. Its orders, buyers and customs rules are the
 * file's own, so files on it do not meet.
 */
export async function sharedE2EStack(name: string): Promise<Stack> {
  const shared = process.env[SHARED_STACK_ENV];
  if (!shared) return startE2EStack(name);
  return attachStack(stackAddressSchema.parse(JSON.parse(shared)));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The status query, bounded: a query to an order whose worker is down must not hang the test. */
export function queryStatus(stack: Stack, orderId: string, timeoutMs = 5_000): Promise<OrderStatus> {
  return stack.client.withDeadline(Date.now() + timeoutMs, () => orderStatus(stack.client, orderId));
}

/**
 * Runs the operators' CLI as its own process against the stack, as an operator would from a shell.
 * With `keyring: 'none'`, no PAYLOAD_KEYS(_FILE) is set, as for a newcomer after `npm run demo`.
 */
export function runCli(
  stack: Stack,
  args: string[],
  { timeoutMs = 30_000, keyring = 'stack' }: { timeoutMs?: number; keyring?: 'stack' | 'none' } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { PAYLOAD_KEYS: _inline, PAYLOAD_KEYS_FILE: _file, ...shell } = process.env;
  const keys = keyring === 'stack' ? { PAYLOAD_KEYS_FILE: stack.payloadKeysFile } : {};
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(projectRoot(), 'cli', 'main.ts'), ...args],
      {
        cwd: projectRoot(),
        env: {
          ...shell,
          TEMPORAL_ADDRESS: stack.temporalAddress,
          TEMPORAL_NAMESPACE: 'default',
          TEMPORAL_TASK_QUEUE: stack.taskQueue,
          ...keys,
        },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A log file of the stack, as text. */
export function readLog(stack: Stack, name: 'worker' | 'notify-receiver' | 'sandbox' | 'temporal'): string {
  return readFileSync(join(stack.logDir, `${name}.log`), 'utf8');
}

/** The log lines that are JSON objects (pino writes one per line). */
export function jsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // not JSON: the SDK or Node may print plain lines
    }
  }
  return out;
}

/**
 * The worker's and the notify receiver's logs hold no buyer's full name or ID number, and are not
 * empty: each has JSON lines, so the check is not vacuous.
 */
export function assertLogsFreeOfPii(stack: Stack, buyers: { fullName: string; certificateNo: string }[]) {
  assert.ok(buyers.length > 0, 'no buyers to look for');
  for (const name of ['worker', 'notify-receiver'] as const) {
    const text = readLog(stack, name);
    const lower = text.toLowerCase();
    const lines = jsonLines(text);
    assert.ok(lines.length > 0, `${name}.log has no JSON log line (${text.length} characters)`);
    for (const b of buyers) {
      // The name as written, and \u-escaped, as some JSON encoders write non-ASCII text.
      const escaped = b.fullName.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      for (const secret of new Set([b.fullName, escaped, b.certificateNo])) {
        const at = lower.indexOf(secret.toLowerCase());
        assert.equal(at, -1, `${name}.log contains buyer data "${secret}": ...${text.slice(Math.max(0, at - 200), at + 200)}...`);
      }
    }
  }
}
