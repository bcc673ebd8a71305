import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';
import type { AlipayPlusClientOptions } from './client';

// The client's settings come from the environment. Pointing at the real Alipay+ changes these, not code.

const envSchema = z.object({
  ALIPAY_PLUS_BASE_URL: z.url({
    protocol: /^https?$/,
    error: 'must be an absolute http(s) URL such as https://open-sea-global.alipayplus.com',
  }),
  ALIPAY_PLUS_CLIENT_ID: z.string({ error: 'is required' }).min(1, 'must not be empty').max(64),
  ALIPAY_PLUS_PRIVATE_KEY_FILE: z.string({ error: 'is required: the merchant private key (PEM)' }).min(1),
  ALIPAY_PLUS_PUBLIC_KEY_FILE: z.string({ error: "is required: Alipay+'s public key (PEM)" }).min(1),
  ALIPAY_PLUS_KEY_VERSION: z.coerce.number().int().min(1).default(1),
  ALIPAY_PLUS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadAlipayPlusConfig(env: NodeJS.ProcessEnv = process.env): AlipayPlusClientOptions {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new ConfigError(`Alipay+ settings are invalid: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  return {
    baseUrl: e.ALIPAY_PLUS_BASE_URL,
    clientId: e.ALIPAY_PLUS_CLIENT_ID,
    merchantPrivateKey: readKey('ALIPAY_PLUS_PRIVATE_KEY_FILE', e.ALIPAY_PLUS_PRIVATE_KEY_FILE, 'private'),
    alipayPlusPublicKey: readKey('ALIPAY_PLUS_PUBLIC_KEY_FILE', e.ALIPAY_PLUS_PUBLIC_KEY_FILE, 'public'),
    keyVersion: e.ALIPAY_PLUS_KEY_VERSION,
    timeoutMs: e.ALIPAY_PLUS_TIMEOUT_MS,
  };
}

function readKey(setting: string, file: string, kind: 'private' | 'public') {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${setting} cannot be read (${file}): ${(error as Error).message}`);
  }
  try {
    return kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch {
    throw new ConfigError(`${setting} (${file}) is not a PEM ${kind} key`);
  }
}
