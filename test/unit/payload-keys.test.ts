import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newKeySpec } from '../../platform/aes-gcm-codec';
import { LOCAL_DEV_KEYRING, isLoopbackAddress, keyringFromEnv, keyringFromEnvOrLocalStack } from '../../platform/payload-keys';
import { SettingsError } from '../../platform/settings';

// Where the processes and the CLI get the payload keyring, and the CLI's one exception: against the
// local stack it finds the development keyring that `npm run demo` wrote.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payload-keys-test-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A project folder as the local stack leaves it: .dev/payload-keys under the root. */
function projectWithDevKeyring(keyId = 'dev1') {
  const root = fs.mkdtempSync(path.join(dir, 'project-'));
  fs.mkdirSync(path.join(root, '.dev'));
  fs.writeFileSync(path.join(root, LOCAL_DEV_KEYRING), newKeySpec(keyId), { mode: 0o600 });
  return root;
}

function settingsError(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SettingsError, `expected a SettingsError, got ${String(error)}`);
    return error;
  }
  assert.fail('no error');
}

describe('keyringFromEnv', () => {
  test('PAYLOAD_KEYS_FILE, else PAYLOAD_KEYS; the file wins when both are set', () => {
    const file = path.join(dir, 'keys');
    fs.writeFileSync(file, `${newKeySpec('file1')}\n${newKeySpec('old')}\n`);
    assert.equal(keyringFromEnv({ PAYLOAD_KEYS_FILE: file }).currentKeyId, 'file1');
    assert.equal(keyringFromEnv({ PAYLOAD_KEYS: newKeySpec('inline1') }).currentKeyId, 'inline1');
    assert.equal(keyringFromEnv({ PAYLOAD_KEYS_FILE: file, PAYLOAD_KEYS: newKeySpec('inline1') }).currentKeyId, 'file1');
  });

  test('errors name the setting: none set, a file that cannot be read, a keyring that does not parse', () => {
    assert.match(settingsError(() => keyringFromEnv({})).message, /PAYLOAD_KEYS or PAYLOAD_KEYS_FILE is required/);
    const missing = path.join(dir, 'no-such-keys');
    assert.match(
      settingsError(() => keyringFromEnv({ PAYLOAD_KEYS_FILE: missing })).message,
      new RegExp(`^PAYLOAD_KEYS_FILE cannot be read \\(${missing}\\)`),
    );
    assert.match(
      settingsError(() => keyringFromEnv({ PAYLOAD_KEYS: 'k1:c2hvcnQ=' })).message,
      /^PAYLOAD_KEYS: payload key k1 must be 32 bytes/,
    );
  });
});

describe('isLoopbackAddress', () => {
  test('localhost, 127.0.0.0/8 and ::1, with or without a port, are this machine', () => {
    for (const a of ['localhost:7233', 'LOCALHOST:7233', '127.0.0.1:7233', '127.1.2.3:7233', '[::1]:7233', '::1', 'localhost']) {
      assert.equal(isLoopbackAddress(a), true, a);
    }
  });
  test('other hosts are not', () => {
    for (const a of [
      'temporal:7233',
      '10.0.0.5:7233',
      'orders.a1b2c.tmprl.cloud:7233',
      'localhost.example.com:7233',
      '[2001:db8::1]:7233',
      '1127.0.0.1:7233',
    ]) {
      assert.equal(isLoopbackAddress(a), false, a);
    }
  });
});

describe("keyringFromEnvOrLocalStack (the CLI's keyring)", () => {
  test('against the local stack with no keyring set: the development keyring under the project root, and says so', () => {
    const root = projectWithDevKeyring('dev1');
    for (const address of ['127.0.0.1:7233', 'localhost:7233', '[::1]:7233']) {
      const found = keyringFromEnvOrLocalStack({}, address, root);
      assert.equal(found.keyring.currentKeyId, 'dev1');
      assert.equal(found.localDevKeyring, path.join(root, '.dev', 'payload-keys'));
    }
  });

  test('a keyring that is set is used, also against the local stack, and is not reported as the development one', () => {
    const root = projectWithDevKeyring('dev1');
    const file = path.join(root, 'prod-keys');
    fs.writeFileSync(file, newKeySpec('prod1'));
    const fromFile = keyringFromEnvOrLocalStack({ PAYLOAD_KEYS_FILE: file }, '127.0.0.1:7233', root);
    assert.equal(fromFile.keyring.currentKeyId, 'prod1');
    assert.equal(fromFile.localDevKeyring, undefined);
    assert.equal(
      keyringFromEnvOrLocalStack({ PAYLOAD_KEYS: newKeySpec('inline1') }, 'localhost:7233', root).keyring.currentKeyId,
      'inline1',
    );
  });

  test('another address never falls back to the development keyring: the clear error stays', () => {
    const root = projectWithDevKeyring('dev1');
    const error = settingsError(() => keyringFromEnvOrLocalStack({}, 'temporal.internal:7233', root));
    assert.match(error.message, /^PAYLOAD_KEYS or PAYLOAD_KEYS_FILE is required/);
    assert.ok(error.message.includes('temporal.internal:7233'), error.message);
  });

  test('the local stack without a development keyring: the error says where it looked and what writes it', () => {
    const root = fs.mkdtempSync(path.join(dir, 'fresh-project-'));
    const error = settingsError(() => keyringFromEnvOrLocalStack({}, '127.0.0.1:7233', root));
    assert.match(error.message, /^PAYLOAD_KEYS or PAYLOAD_KEYS_FILE is required/);
    assert.ok(error.message.includes(path.join(root, '.dev', 'payload-keys')), error.message);
    assert.match(error.message, /npm run demo/);
  });
});
