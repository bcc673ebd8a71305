import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join, resolve } from 'node:path';
import { projectRoot } from '../platform/paths';

// Development keys for the sandbox, the demo and the tests. Never used against the real Alipay+.

export const DEV_KEY_FILES = {
  merchantPrivate: 'merchant-private.pem',
  merchantPublic: 'merchant-public.pem',
  alipayPlusPrivate: 'alipayplus-private.pem',
  alipayPlusPublic: 'alipayplus-public.pem',
} as const;

export interface DevKeys {
  dir: string;
  merchantPrivateKey: string;
  merchantPublicKey: string;
  alipayPlusPrivateKey: string;
  alipayPlusPublicKey: string;
}

export function defaultKeysDir() {
  return resolve(process.env.KEYS_DIR ?? join(projectRoot(), '.dev', 'keys'));
}

/** Creates the two RSA key pairs when they are missing, then reads all four files. */
export function ensureDevKeys(dir = defaultKeysDir()): DevKeys {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = (privateName: string, publicName: string) => {
    const privatePath = join(dir, privateName);
    const publicPath = join(dir, publicName);
    if (!existsSync(privatePath) || !existsSync(publicPath)) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      writeFileSync(privatePath, privateKey, { mode: 0o600 });
      writeFileSync(publicPath, publicKey);
    }
    return [readFileSync(privatePath, 'utf8'), readFileSync(publicPath, 'utf8')] as const;
  };
  const [merchantPrivateKey, merchantPublicKey] = pair(DEV_KEY_FILES.merchantPrivate, DEV_KEY_FILES.merchantPublic);
  const [alipayPlusPrivateKey, alipayPlusPublicKey] = pair(DEV_KEY_FILES.alipayPlusPrivate, DEV_KEY_FILES.alipayPlusPublic);
  return { dir, merchantPrivateKey, merchantPublicKey, alipayPlusPrivateKey, alipayPlusPublicKey };
}
