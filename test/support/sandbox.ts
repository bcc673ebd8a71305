import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlipayPlusClient, type AlipayPlusClientOptions } from '../../alipay-plus';
import type { TimeSource } from '../../sandbox/clock';
import type { NotificationGate } from '../../sandbox/notifier';
import { DEV_CEB_COP_CODE, ensureDevKeys, type DevKeys } from '../../sandbox/dev-keys';
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
    /** Runs each notification attempt (test/support/skip-gate.ts). */
    notificationGate?: NotificationGate;
    /** The notification schedule's gaps times this (the chaos run's shortcut). */
    notifyRetryScale?: number;
    timeoutMs?: number;
    trafficLimitBackoffMs?: number;
    refundSettleDelayMs?: number;
    /** The HTTP server's limits, for the tests of the limits themselves. */
    limits?: Partial<SandboxLimits>;
    /** The CEB customs: time between the inventory list's states, and the receipts' callback. */
    cebStepAfterMs?: number;
    cebCallbackUrl?: string;
  } = {},
): Promise<SandboxFixture> {
  const k = testKeys();
  const sandbox = await startSandbox({
    port: 0,
    clientId: CLIENT_ID,
    merchantPublicKey: k.merchantPublicKey,
    alipayPlusPrivateKey: k.alipayPlusPrivateKey,
    timeSource: opts.timeSource,
    notificationGate: opts.notificationGate,
    notifyRetryScale: opts.notifyRetryScale,
    refundSettleDelayMs: opts.refundSettleDelayMs,
    limits: opts.limits,
    ceb: {
      customsPrivateKey: k.customsPrivateKey,
      enterprises: { [DEV_CEB_COP_CODE]: k.enterprisePublicKey },
      stepAfterMs: opts.cebStepAfterMs,
      callbackUrl: opts.cebCallbackUrl,
    },
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

/** The filing company on the test keys, as the worker's CEB_ settings would give it, against this sandbox. */
export function testCebSettings(f: { sandbox: Sandbox; keys: DevKeys }) {
  return {
    baseUrl: f.sandbox.url,
    copCode: DEV_CEB_COP_CODE,
    copName: 'Sandbox Merchant Ltd',
    dxpId: 'DXPENT0000000001',
    keyName: 'TEST-ENTERPRISE',
    signingKey: f.keys.enterprisePrivateKey,
    customsPublicKey: f.keys.customsPublicKey,
    customsCode: '2991',
    defaultItemWeightKg: '0.5',
  };
}
