import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlipayPlusClient, type AlipayPlusClientOptions } from '../../alipay-plus';
import type { TimeSource } from '../../sandbox/clock';
import { ensureDevKeys, type DevKeys } from '../../sandbox/dev-keys';
import { SandboxHelpers } from '../../sandbox/helper-client';
import { startSandbox, type Sandbox, type SandboxLimits } from '../../sandbox/server';

export const CLIENT_ID = 'SANDBOX_MERCHANT';

/** Keys shared by every test in a process, made once in a temp folder. */
let keys: DevKeys | undefined;
export function testKeys(): DevKeys {
  keys ??= ensureDevKeys(mkdtempSync(join(tmpdir(), 'alipay-keys-')));
  return keys;
}

/**
 * A time source that stands still, so the sandbox clock moves only with `advance`. Tests that assert
 * exact times (the 5-minute rule, review delays, the notification schedule) use it.
 */
export function frozenTime(startMs = Date.now()): TimeSource {
  return () => startMs;
}

export interface SandboxFixture {
  sandbox: Sandbox;
  client: AlipayPlusClient;
  keys: DevKeys;
  /** The sandbox's test helpers: pay, fail, customs rules, faults, clock, ledger. */
  helpers: SandboxHelpers;
  /** Another client for the same sandbox, with some options changed. */
  makeClient(over?: Partial<AlipayPlusClientOptions>): AlipayPlusClient;
  close(): Promise<void>;
}

export async function startSandboxFixture(
  opts: {
    timeSource?: TimeSource;
    timeoutMs?: number;
    trafficLimitBackoffMs?: number;
    refundSettleDelayMs?: number;
    /** The HTTP server's limits, for the tests of the limits themselves. */
    limits?: Partial<SandboxLimits>;
  } = {},
): Promise<SandboxFixture> {
  const k = testKeys();
  const sandbox = await startSandbox({
    port: 0,
    clientId: CLIENT_ID,
    merchantPublicKey: k.merchantPublicKey,
    alipayPlusPrivateKey: k.alipayPlusPrivateKey,
    timeSource: opts.timeSource,
    refundSettleDelayMs: opts.refundSettleDelayMs,
    limits: opts.limits,
  });
  const makeClient = (over: Partial<AlipayPlusClientOptions> = {}) =>
    new AlipayPlusClient({
      baseUrl: sandbox.url,
      clientId: CLIENT_ID,
      merchantPrivateKey: k.merchantPrivateKey,
      alipayPlusPublicKey: k.alipayPlusPublicKey,
      timeoutMs: opts.timeoutMs ?? 5_000,
      trafficLimitBackoffMs: opts.trafficLimitBackoffMs,
      ...over,
    });
  return {
    sandbox,
    client: makeClient(),
    keys: k,
    helpers: new SandboxHelpers(sandbox.url),
    makeClient,
    close: () => sandbox.close(),
  };
}
