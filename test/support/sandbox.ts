import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { AlipayPlusClient } from '../../alipay-plus';
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

export interface SandboxFixture {
  sandbox: Sandbox;
  client: AlipayPlusClient;
  keys: DevKeys;
  /** Calls a test helper under /sandbox/ (or /eport/) and returns its JSON. */
  helper<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  ledger(): Promise<any>;
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSandboxFixture(opts: { timeSource?: TimeSource; timeoutMs?: number } = {}): Promise<SandboxFixture> {
  const k = testKeys();
  const sandbox = await startSandbox({
    port: 0,
    clientId: CLIENT_ID,
    merchantPublicKey: k.merchantPublicKey,
    alipayPlusPrivateKey: k.alipayPlusPrivateKey,
    timeSource: opts.timeSource,
  });
  const client = new AlipayPlusClient({
    baseUrl: sandbox.url,
    clientId: CLIENT_ID,
    merchantPrivateKey: k.merchantPrivateKey,
    alipayPlusPublicKey: k.alipayPlusPublicKey,
    timeoutMs: opts.timeoutMs ?? 5_000,
  });
  const helper = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await axios.request({ method, url: sandbox.url + path, data: body, validateStatus: () => true });
    if (res.status >= 400) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.data)}`);
    return res.data;
  };
  return {
    sandbox,
    client,
    keys: k,
    helper,
    ledger: () => helper('GET', '/sandbox/ledger'),
    advance: async (ms) => void (await helper('POST', '/sandbox/clock/advance', { ms })),
    close: () => sandbox.close(),
  };
}
