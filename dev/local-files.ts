import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKeySpec } from '../platform/aes-gcm-codec';
import { tokenFileLine } from '../platform/operator-identity';
import { projectRoot } from '../platform/paths';
import { LOCAL_DEV_KEYRING } from '../platform/payload-keys';
import { ensureDevKeys, type DevKeys } from '../sandbox/dev-keys';
import { ensureCodecTls } from './codec-tls';

// The files under .dev/ that every local stack shares: the development keys, the buyer key secret, the
// payload keyring, the codec token and the operator tokens file, the codec server's certificate. Test
// files run side by side start stacks at the same moment, so dev/test.ts makes these once before any file
// runs, and a stack never leaves one half-written for another to read.

export interface LocalFiles {
  keys: DevKeys;
  buyerKeySecretFile: string;
  payloadKeysFile: string;
  codecToken: string;
  operatorTokensFile: string;
  codecTls: { certFile: string; keyFile: string };
}

/** Creates `file` unless it exists, whole: the first process to link it wins and the others read its file. */
function createOnce(file: string, make: () => string): string {
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, make(), { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(tmp);
  }
  return file;
}

/** Writes `text` to `file` when it differs, in one rename, so a reader never finds it empty. */
function writeWhole(file: string, text: string) {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

export function ensureLocalFiles(): LocalFiles {
  const root = projectRoot();
  mkdirSync(join(root, '.dev'), { recursive: true });
  const keys = ensureDevKeys();
  const buyerKeySecretFile = createOnce(join(root, '.dev', 'buyer-key-secret'), () => randomBytes(32).toString('hex'));
  const payloadKeysFile = createOnce(join(root, LOCAL_DEV_KEYRING), () => newKeySpec('dev1'));
  const codecToken = readFileSync(
    createOnce(join(root, '.dev', 'codec-token'), () => randomBytes(24).toString('hex')),
    'utf8',
  ).trim();
  // The local CLI operator's personal codec token; the UI's users sign in at the OpenID provider instead.
  const operatorTokensFile = join(root, '.dev', 'operator-tokens');
  writeWhole(
    operatorTokensFile,
    `# name:sha256(token), one line per person (docs/operators.md)\n${tokenFileLine('local-cli', codecToken)}\n`,
  );
  const codecTls = ensureCodecTls(join(root, '.dev', 'codec-tls'));
  return { keys, buyerKeySecretFile, payloadKeysFile, codecToken, operatorTokensFile, codecTls };
}
