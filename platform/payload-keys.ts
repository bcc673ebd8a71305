import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKeyring, type Keyring } from './aes-gcm-codec';
import { projectRoot } from './paths';
import { SettingsError } from './settings';

// Where a process gets its payload keyring: the file PAYLOAD_KEYS_FILE names (docker-compose: a
// secret), or PAYLOAD_KEYS inline. The local stack (dev/stack.ts, `npm run demo`) writes its keyring
// to .dev/payload-keys, where the CLI finds it by itself when it talks to the local stack.

/** The local development keyring, relative to the project root. */
export const LOCAL_DEV_KEYRING = join('.dev', 'payload-keys');

const REQUIRED = 'PAYLOAD_KEYS or PAYLOAD_KEYS_FILE is required: `id:base64 32-byte key`, current key first';

function parse(setting: string, spec: string): Keyring {
  try {
    return parseKeyring(spec);
  } catch (error) {
    throw new SettingsError(`${setting}: ${(error as Error).message}`);
  }
}

function readKeyringFile(setting: string, file: string): Keyring {
  let spec: string;
  try {
    spec = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SettingsError(`${setting} cannot be read (${file}): ${(error as Error).message}`);
  }
  return parse(`${setting} (${file})`, spec);
}

/** The keyring of PAYLOAD_KEYS_FILE, else of PAYLOAD_KEYS; a SettingsError names what is wrong. */
export function keyringFromEnv(env: NodeJS.ProcessEnv = process.env): Keyring {
  if (env.PAYLOAD_KEYS_FILE) return readKeyringFile('PAYLOAD_KEYS_FILE', env.PAYLOAD_KEYS_FILE);
  if (env.PAYLOAD_KEYS?.trim()) return parse('PAYLOAD_KEYS', env.PAYLOAD_KEYS);
  throw new SettingsError(REQUIRED);
}

/** Whether a Temporal address (host:port, [v6]:port or a bare host) is this machine. */
export function isLoopbackAddress(address: string): boolean {
  let host = address;
  if (address.startsWith('[')) host = address.slice(1, address.indexOf(']'));
  else if (address.split(':').length === 2) host = address.slice(0, address.indexOf(':'));
  return /^localhost$/i.test(host) || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

export interface FoundKeyring {
  keyring: Keyring;
  /** The file, when the keyring is the local stack's development keyring. */
  localDevKeyring?: string;
}

/**
 * The CLI's keyring: PAYLOAD_KEYS_FILE or PAYLOAD_KEYS, as for every process; when neither is set and
 * Temporal is on this machine, the development keyring the local stack wrote. Never for another
 * address: a real keyring is never guessed.
 */
export function keyringFromEnvOrLocalStack(env: NodeJS.ProcessEnv, temporalAddress: string, root = projectRoot()): FoundKeyring {
  if (env.PAYLOAD_KEYS_FILE || env.PAYLOAD_KEYS?.trim()) return { keyring: keyringFromEnv(env) };
  if (!isLoopbackAddress(temporalAddress)) {
    throw new SettingsError(
      `${REQUIRED} (only for the local stack does the CLI find the local development keyring by itself; Temporal is at ${temporalAddress})`,
    );
  }
  const file = join(root, LOCAL_DEV_KEYRING);
  if (!existsSync(file)) {
    throw new SettingsError(
      `${REQUIRED} (Temporal at ${temporalAddress} is local, but there is no local development keyring at ${file}: \`npm run demo\` writes it)`,
    );
  }
  return { keyring: readKeyringFile('the local development keyring', file), localDevKeyring: file };
}
