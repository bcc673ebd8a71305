import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadAlipayPlusConfig } from '../../alipay-plus/config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-plus-config-test-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const alipayPlus = generateKeyPairSync('rsa', { modulusLength: 2048 });

function writeFile(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const privateKeyFile = writeFile('merchant-private.pem', merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const publicKeyFile = writeFile('alipayplus-public.pem', alipayPlus.publicKey.export({ type: 'spki', format: 'pem' }).toString());
const notPemFile = writeFile('not-a-key.pem', 'this is not a PEM key\n');
const publicAsPrivateFile = writeFile('public-as-private.pem', merchant.publicKey.export({ type: 'spki', format: 'pem' }).toString());
const missingFile = path.join(dir, 'does-not-exist.pem');

const validEnv = (): NodeJS.ProcessEnv => ({
  ALIPAY_PLUS_BASE_URL: 'http://127.0.0.1:8787',
  ALIPAY_PLUS_CLIENT_ID: 'SANDBOX_MERCHANT',
  ALIPAY_PLUS_PRIVATE_KEY_FILE: privateKeyFile,
  ALIPAY_PLUS_PUBLIC_KEY_FILE: publicKeyFile,
});

/** Asserts loadAlipayPlusConfig throws a ConfigError whose message names `setting`. */
function expectConfigError(env: NodeJS.ProcessEnv, setting: string, extra?: RegExp): ConfigError {
  let caught: unknown;
  try {
    loadAlipayPlusConfig(env);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.equal(caught.name, 'ConfigError');
  assert.ok(caught.message.includes(setting), `message does not name ${setting}: ${caught.message}`);
  if (extra) assert.match(caught.message, extra);
  return caught;
}

describe('loadAlipayPlusConfig', () => {
  test('a valid environment loads, with keyVersion 1 and timeout 10000 by default', () => {
    const config = loadAlipayPlusConfig(validEnv());
    assert.equal(config.baseUrl, 'http://127.0.0.1:8787');
    assert.equal(config.clientId, 'SANDBOX_MERCHANT');
    assert.equal(config.keyVersion, 1);
    assert.equal(config.timeoutMs, 10_000);
  });

  test('the keys are read from the files: the private one signs, the public one is Alipay+\'s', () => {
    const config = loadAlipayPlusConfig(validEnv());
    const priv = config.merchantPrivateKey as KeyObject;
    const pub = config.alipayPlusPublicKey as KeyObject;
    assert.equal(priv.type, 'private');
    assert.equal(pub.type, 'public');
    const data = Buffer.from('POST /x\nC.1.{}');
    // The loaded private key is the merchant's: its signature verifies with the merchant's public key.
    assert.equal(verify('sha256', data, merchant.publicKey, sign('sha256', data, priv)), true);
    // The loaded public key is Alipay+'s: it verifies Alipay+'s signatures and not the merchant's.
    assert.equal(verify('sha256', data, pub, sign('sha256', data, alipayPlus.privateKey)), true);
    assert.equal(verify('sha256', data, pub, sign('sha256', data, merchant.privateKey)), false);
  });

  test('keyVersion and timeout are read from the environment when set', () => {
    const config = loadAlipayPlusConfig({ ...validEnv(), ALIPAY_PLUS_KEY_VERSION: '3', ALIPAY_PLUS_TIMEOUT_MS: '2500' });
    assert.equal(config.keyVersion, 3);
    assert.equal(config.timeoutMs, 2500);
  });

  test('unrelated environment variables are ignored', () => {
    const config = loadAlipayPlusConfig({ ...validEnv(), PATH: '/usr/bin', HOME: '/root' });
    assert.equal(config.clientId, 'SANDBOX_MERCHANT');
  });

  test('a missing ALIPAY_PLUS_BASE_URL throws a ConfigError naming it', () => {
    const env = validEnv();
    delete env.ALIPAY_PLUS_BASE_URL;
    expectConfigError(env, 'ALIPAY_PLUS_BASE_URL');
  });

  test('a base URL that is not a URL throws a ConfigError naming ALIPAY_PLUS_BASE_URL', () => {
    for (const bad of ['not a url', 'open-sea-global.alipayplus.com', '']) {
      expectConfigError({ ...validEnv(), ALIPAY_PLUS_BASE_URL: bad }, 'ALIPAY_PLUS_BASE_URL', /must be an absolute http\(s\) URL/);
    }
  });

  test('a base URL without an http(s) scheme throws a ConfigError naming ALIPAY_PLUS_BASE_URL', () => {
    // "localhost:8080" parses as a URL whose scheme is "localhost:", so a bare URL check lets it through.
    for (const bad of ['localhost:8080', 'ftp://open-sea-global.alipayplus.com', 'file:///etc/hosts']) {
      expectConfigError({ ...validEnv(), ALIPAY_PLUS_BASE_URL: bad }, 'ALIPAY_PLUS_BASE_URL', /must be an absolute http\(s\) URL/);
    }
    assert.equal(
      loadAlipayPlusConfig({ ...validEnv(), ALIPAY_PLUS_BASE_URL: 'https://open-sea-global.alipayplus.com' }).baseUrl,
      'https://open-sea-global.alipayplus.com',
    );
  });

  test('a missing or empty client id throws a ConfigError naming ALIPAY_PLUS_CLIENT_ID', () => {
    const env = validEnv();
    delete env.ALIPAY_PLUS_CLIENT_ID;
    expectConfigError(env, 'ALIPAY_PLUS_CLIENT_ID', /is required/);
    expectConfigError({ ...validEnv(), ALIPAY_PLUS_CLIENT_ID: '' }, 'ALIPAY_PLUS_CLIENT_ID', /must not be empty/);
  });

  test('an unset key file setting throws a ConfigError naming it', () => {
    const env = validEnv();
    delete env.ALIPAY_PLUS_PRIVATE_KEY_FILE;
    expectConfigError(env, 'ALIPAY_PLUS_PRIVATE_KEY_FILE', /is required/);
    const env2 = validEnv();
    delete env2.ALIPAY_PLUS_PUBLIC_KEY_FILE;
    expectConfigError(env2, 'ALIPAY_PLUS_PUBLIC_KEY_FILE', /is required/);
  });

  test('a key file that does not exist throws a ConfigError naming the setting and the file', () => {
    const error = expectConfigError({ ...validEnv(), ALIPAY_PLUS_PRIVATE_KEY_FILE: missingFile }, 'ALIPAY_PLUS_PRIVATE_KEY_FILE', /cannot be read/);
    assert.ok(error.message.includes(missingFile));
    assert.ok(!error.message.includes('ALIPAY_PLUS_PUBLIC_KEY_FILE'));
    expectConfigError({ ...validEnv(), ALIPAY_PLUS_PUBLIC_KEY_FILE: missingFile }, 'ALIPAY_PLUS_PUBLIC_KEY_FILE', /cannot be read/);
  });

  test('a file that is not a PEM key throws a ConfigError naming the setting', () => {
    expectConfigError({ ...validEnv(), ALIPAY_PLUS_PRIVATE_KEY_FILE: notPemFile }, 'ALIPAY_PLUS_PRIVATE_KEY_FILE', /is not a PEM private key/);
    expectConfigError({ ...validEnv(), ALIPAY_PLUS_PUBLIC_KEY_FILE: notPemFile }, 'ALIPAY_PLUS_PUBLIC_KEY_FILE', /is not a PEM public key/);
  });

  test('a public key given as the private key file throws a ConfigError naming the setting', () => {
    expectConfigError({ ...validEnv(), ALIPAY_PLUS_PRIVATE_KEY_FILE: publicAsPrivateFile }, 'ALIPAY_PLUS_PRIVATE_KEY_FILE', /is not a PEM private key/);
  });

  test('an invalid keyVersion or timeout throws a ConfigError naming the setting', () => {
    for (const bad of ['0', '-1', '1.5', 'abc']) {
      expectConfigError({ ...validEnv(), ALIPAY_PLUS_KEY_VERSION: bad }, 'ALIPAY_PLUS_KEY_VERSION');
    }
    for (const bad of ['50', '120001', 'soon']) {
      expectConfigError({ ...validEnv(), ALIPAY_PLUS_TIMEOUT_MS: bad }, 'ALIPAY_PLUS_TIMEOUT_MS');
    }
  });
});
