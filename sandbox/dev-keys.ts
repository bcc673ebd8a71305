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
  /** The customs' key, which signs the CEB receipts of the sandbox's e-port. */
  customsPrivate: 'customs-private.pem',
  customsPublic: 'customs-public.pem',
  /** The filing enterprise's customs certificate (the merchant's or its agent's), which signs CEB filings. */
  enterprisePrivate: 'ceb-enterprise-private.pem',
  enterprisePublic: 'ceb-enterprise-public.pem',
} as const;

/** The development customs code of the filing enterprise, under which the sandbox registers its public key. */
export const DEV_CEB_COP_CODE = '3301964J31';

export interface DevKeys {
  dir: string;
  merchantPrivateKey: string;
  merchantPublicKey: string;
  alipayPlusPrivateKey: string;
  alipayPlusPublicKey: string;
  customsPrivateKey: string;
  customsPublicKey: string;
  enterprisePrivateKey: string;
  enterprisePublicKey: string;
}

export function defaultKeysDir() {
  return resolve(process.env.KEYS_DIR ?? join(projectRoot(), '.dev', 'keys'));
}

/** Creates the RSA key pairs when they are missing, then reads all four files. */
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
  const [customsPrivateKey, customsPublicKey] = pair(DEV_KEY_FILES.customsPrivate, DEV_KEY_FILES.customsPublic);
  const [enterprisePrivateKey, enterprisePublicKey] = pair(DEV_KEY_FILES.enterprisePrivate, DEV_KEY_FILES.enterprisePublic);
  return {
    dir,
    merchantPrivateKey,
    merchantPublicKey,
    alipayPlusPrivateKey,
    alipayPlusPublicKey,
    customsPrivateKey,
    customsPublicKey,
    enterprisePrivateKey,
    enterprisePublicKey,
  };
}
