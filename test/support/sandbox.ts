import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { AlipayPlusClient, type AlipayPlusClientOptions } from '../../alipay-plus';
import type { TimeSource } from '../../sandbox/clock';
import { ensureDevKeys, type DevKeys } from '../../sandbox/dev-keys';
import { startSandbox, type Sandbox } from '../../sandbox/server';

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
  /** Calls a test helper under /sandbox/ (or /eport/) and returns its JSON. Throws on HTTP >= 400. */
  helper<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  ledger(): Promise<any>;
  advance(ms: number): Promise<void>;
  /** The sandbox clock, in epoch milliseconds. */
  now(): Promise<number>;
  /** POST /sandbox/faults: replaces the whole fault configuration ({} clears it). */
  faults(config: unknown): Promise<void>;
  /** POST /sandbox/customs/rules. */
  customsRules(rules: unknown): Promise<void>;
  /** Another client for the same sandbox, with some options changed. */
  makeClient(over?: Partial<AlipayPlusClientOptions>): AlipayPlusClient;
  close(): Promise<void>;
}

export async function startSandboxFixture(
  opts: { timeSource?: TimeSource; timeoutMs?: number; trafficLimitBackoffMs?: number } = {},
): Promise<SandboxFixture> {
  const k = testKeys();
  const sandbox = await startSandbox({
    port: 0,
    clientId: CLIENT_ID,
    merchantPublicKey: k.merchantPublicKey,
    alipayPlusPrivateKey: k.alipayPlusPrivateKey,
    timeSource: opts.timeSource,
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
  const helper = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await axios.request({ method, url: sandbox.url + path, data: body, validateStatus: () => true });
    if (res.status >= 400) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.data)}`);
    return res.data;
  };
  return {
    sandbox,
    client: makeClient(),
    keys: k,
    helper,
    ledger: () => helper('GET', '/sandbox/ledger'),
    advance: async (ms) => void (await helper('POST', '/sandbox/clock/advance', { ms })),
    now: async () => (await helper('GET', '/sandbox/clock')).nowMs as number,
    faults: async (config) => void (await helper('POST', '/sandbox/faults', config)),
    customsRules: async (rules) => void (await helper('POST', '/sandbox/customs/rules', rules)),
    makeClient,
    close: () => sandbox.close(),
  };
}
