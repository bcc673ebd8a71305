import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadAlipayPlusConfig } from '../../alipay-plus/config';
import { SettingsError } from '../../platform/settings';
import { loadTemporalSettings } from '../../platform/temporal-settings';
import { loadWorkerSettings } from '../../workers/settings';

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

  test("the keys are read from the files: the private one signs, the public one is Alipay+'s", () => {
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
    const error = expectConfigError(
      { ...validEnv(), ALIPAY_PLUS_PRIVATE_KEY_FILE: missingFile },
      'ALIPAY_PLUS_PRIVATE_KEY_FILE',
      /cannot be read/,
    );
    assert.ok(error.message.includes(missingFile));
    assert.ok(!error.message.includes('ALIPAY_PLUS_PUBLIC_KEY_FILE'));
    expectConfigError({ ...validEnv(), ALIPAY_PLUS_PUBLIC_KEY_FILE: missingFile }, 'ALIPAY_PLUS_PUBLIC_KEY_FILE', /cannot be read/);
  });

  test('a file that is not a PEM key throws a ConfigError naming the setting', () => {
    expectConfigError(
      { ...validEnv(), ALIPAY_PLUS_PRIVATE_KEY_FILE: notPemFile },
      'ALIPAY_PLUS_PRIVATE_KEY_FILE',
      /is not a PEM private key/,
    );
    expectConfigError({ ...validEnv(), ALIPAY_PLUS_PUBLIC_KEY_FILE: notPemFile }, 'ALIPAY_PLUS_PUBLIC_KEY_FILE', /is not a PEM public key/);
  });

  test('a public key given as the private key file throws a ConfigError naming the setting', () => {
    expectConfigError(
      { ...validEnv(), ALIPAY_PLUS_PRIVATE_KEY_FILE: publicAsPrivateFile },
      'ALIPAY_PLUS_PRIVATE_KEY_FILE',
      /is not a PEM private key/,
    );
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

// ---------------------------------------------------------------- Temporal connection settings

/** Asserts loadTemporalSettings throws a SettingsError whose message names each of `names`. */
function expectSettingsError(env: NodeJS.ProcessEnv, names: string[], extra?: RegExp): SettingsError {
  let caught: unknown;
  try {
    loadTemporalSettings(env);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SettingsError, `expected a SettingsError, got ${String(caught)}`);
  for (const name of names) assert.ok(caught.message.includes(name), `message does not name ${name}: ${caught.message}`);
  if (extra) assert.match(caught.message, extra);
  return caught;
}

describe('loadTemporalSettings (@temporalio/envconfig: the names the temporal CLI reads)', () => {
  // No HOME: no ~/.config/temporalio/temporal.toml of the machine running the tests gets in.
  const certFile = writeFile('temporal-client.pem', 'client certificate\n');
  const keyFile = writeFile('temporal-client.key', 'client key\n');
  const caFile = writeFile('temporal-ca.pem', 'server CA\n');
  const profiles = writeFile(
    'temporal.toml',
    [
      '[profile.default]',
      'address = "temporal.internal:7233"',
      'namespace = "orders-dev"',
      '',
      '[profile.prod]',
      'address = "orders.a1b2c.tmprl.cloud:7233"',
      'namespace = "orders.a1b2c"',
      '[profile.prod.tls]',
      `client_cert_path = ${JSON.stringify(certFile)}`,
      `client_key_path = ${JSON.stringify(keyFile)}`,
      '',
      '[profile.broken]',
      'address = "broken:7233"',
      '[profile.broken.tls]',
      `client_cert_path = ${JSON.stringify(missingFile)}`,
      `client_key_path = ${JSON.stringify(keyFile)}`,
      '',
    ].join('\n'),
  );

  test('nothing set: the local dev server, namespace default, no TLS, no profile', () => {
    assert.deepEqual(loadTemporalSettings({}), { connection: { address: 'localhost:7233' }, namespace: 'default' });
  });

  test('TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY; an API key turns TLS on, TEMPORAL_TLS=false off', () => {
    const env = { TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'orders.a1b2c', TEMPORAL_API_KEY: 'key-123' };
    assert.deepEqual(loadTemporalSettings(env), {
      connection: { address: 'eu-west-1.aws.api.temporal.io:7233', apiKey: 'key-123', tls: true },
      namespace: 'orders.a1b2c',
    });
    assert.equal(loadTemporalSettings({ ...env, TEMPORAL_TLS: 'false' }).connection.tls, false);
    assert.ok(loadTemporalSettings({ TEMPORAL_TLS: 'true' }).connection.tls, 'TEMPORAL_TLS=true alone turns TLS on');
  });

  test('mTLS from TEMPORAL_TLS_CLIENT_CERT_PATH, _KEY_PATH, _SERVER_CA_CERT_PATH and TEMPORAL_TLS_SERVER_NAME: the files are read', () => {
    const { connection } = loadTemporalSettings({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: certFile,
      TEMPORAL_TLS_CLIENT_KEY_PATH: keyFile,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caFile,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
    });
    assert.ok(connection.tls && typeof connection.tls === 'object');
    assert.equal(Buffer.from(connection.tls.clientCertPair!.crt).toString(), 'client certificate\n');
    assert.equal(Buffer.from(connection.tls.clientCertPair!.key).toString(), 'client key\n');
    assert.equal(Buffer.from(connection.tls.serverRootCACertificate!).toString(), 'server CA\n');
    assert.equal(connection.tls.serverNameOverride, 'frontend.temporal.internal');
  });

  test('a profile of a TOML file: TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE; the variables override it', () => {
    const prod = loadTemporalSettings({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'prod' });
    assert.equal(prod.connection.address, 'orders.a1b2c.tmprl.cloud:7233');
    assert.equal(prod.namespace, 'orders.a1b2c');
    assert.deepEqual(prod.profile, { name: 'prod', file: profiles });
    assert.ok(prod.connection.tls && typeof prod.connection.tls === 'object');
    assert.equal(Buffer.from(prod.connection.tls.clientCertPair!.crt).toString(), 'client certificate\n');

    const overridden = loadTemporalSettings({
      TEMPORAL_CONFIG_FILE: profiles,
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_NAMESPACE: 'orders-staging.a1b2c',
    });
    assert.equal(overridden.namespace, 'orders-staging.a1b2c');
    assert.equal(overridden.connection.address, 'orders.a1b2c.tmprl.cloud:7233');

    // Without TEMPORAL_PROFILE, the profile named "default".
    const byDefault = loadTemporalSettings({ TEMPORAL_CONFIG_FILE: profiles });
    assert.deepEqual(byDefault, {
      connection: { address: 'temporal.internal:7233' },
      namespace: 'orders-dev',
      profile: { name: 'default', file: profiles },
    });
  });

  test(
    "without TEMPORAL_CONFIG_FILE, the temporal CLI's own file is read: $HOME/.config/temporalio/temporal.toml",
    { skip: process.platform !== 'linux' },
    () => {
      const home = fs.mkdtempSync(path.join(dir, 'home-'));
      assert.deepEqual(
        loadTemporalSettings({ HOME: home }),
        { connection: { address: 'localhost:7233' }, namespace: 'default' },
        'no file: the defaults',
      );
      fs.mkdirSync(path.join(home, '.config', 'temporalio'), { recursive: true });
      fs.copyFileSync(profiles, path.join(home, '.config', 'temporalio', 'temporal.toml'));
      assert.equal(loadTemporalSettings({ HOME: home, TEMPORAL_PROFILE: 'prod' }).connection.address, 'orders.a1b2c.tmprl.cloud:7233');
    },
  );

  test('the worker connects with the same settings as the clients', () => {
    const env = {
      TEMPORAL_CONFIG_FILE: profiles,
      TEMPORAL_PROFILE: 'prod',
      EPORT_BASE_URL: 'http://127.0.0.1:8090',
      NOTIFY_URL: 'http://127.0.0.1:8091/alipay/notify',
      BUYER_KEY_SECRET_FILE: writeFile('buyer-key-secret', 'a-secret-of-at-least-16-characters'),
    };
    const worker = loadWorkerSettings(env);
    assert.deepEqual(worker.temporal, loadTemporalSettings(env));
    assert.equal(worker.TEMPORAL_TASK_QUEUE, 'alipay-orders');
  });

  test('the CEB settings come all together or not at all; CEB_BASE_URL defaults to EPORT_BASE_URL', () => {
    const base = {
      EPORT_BASE_URL: 'http://127.0.0.1:8090',
      NOTIFY_URL: 'http://127.0.0.1:8091/alipay/notify',
      BUYER_KEY_SECRET_FILE: writeFile('buyer-key-secret', 'a-secret-of-at-least-16-characters'),
    };
    assert.equal(loadWorkerSettings(base).ceb, undefined, 'none: no customs port');
    const ceb = {
      CEB_COP_CODE: '3301964J31',
      CEB_COP_NAME: 'Sandbox Merchant Ltd',
      CEB_DXP_ID: 'DXPENT0000000001',
      CEB_SIGNING_KEY_FILE: writeFile('ceb-key.pem', 'PRIVATE'),
      CEB_CUSTOMS_PUBLIC_KEY_FILE: writeFile('customs.pem', 'PUBLIC'),
      CEB_CUSTOMS_CODE: '2991',
    };
    const settings = loadWorkerSettings({ ...base, ...ceb }).ceb;
    assert.equal(settings?.baseUrl, 'http://127.0.0.1:8090');
    assert.equal(settings?.signingKey, 'PRIVATE');
    assert.equal(settings?.customsPublicKey, 'PUBLIC');
    assert.throws(
      () => loadWorkerSettings({ ...base, ...ceb, CEB_DXP_ID: undefined, CEB_CUSTOMS_CODE: undefined }),
      /CEB_DXP_ID, CEB_CUSTOMS_CODE must be set with the other CEB_ settings/,
    );
  });

  test('a TLS file that cannot be read names its variable and the path', () => {
    const error = expectSettingsError(
      { TEMPORAL_TLS_CLIENT_CERT_PATH: missingFile, TEMPORAL_TLS_CLIENT_KEY_PATH: keyFile },
      ['TEMPORAL_TLS_CLIENT_CERT_PATH', missingFile],
      /cannot be read/,
    );
    assert.ok(!error.message.includes('TEMPORAL_TLS_CLIENT_KEY_PATH'), error.message);
    expectSettingsError(
      { TEMPORAL_TLS_SERVER_CA_CERT_PATH: missingFile },
      ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', missingFile],
      /cannot be read/,
    );
  });

  test('a client certificate without its key, or a key without its certificate, names both settings', () => {
    expectSettingsError(
      { TEMPORAL_TLS_CLIENT_CERT_PATH: certFile },
      ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH'],
      /go together/,
    );
    expectSettingsError(
      { TEMPORAL_TLS_CLIENT_KEY_PATH: keyFile },
      ['TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
      /go together/,
    );
  });

  test('a bad file in a profile names the profile, the key and the file', () => {
    expectSettingsError({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'broken' }, [
      '[profile.broken]',
      'tls.client_cert',
      profiles,
      missingFile,
    ]);
  });

  test('a missing profile names TEMPORAL_PROFILE and lists the profiles there are', () => {
    expectSettingsError(
      { TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'staging' },
      ['TEMPORAL_PROFILE=staging', profiles],
      /it has: default, prod, broken/,
    );
    expectSettingsError({ TEMPORAL_PROFILE: 'staging' }, ['TEMPORAL_PROFILE=staging', 'TEMPORAL_CONFIG_FILE'], /no profile file/);
  });

  test('a profile file without profiles (empty, comments only, /dev/null) is taken as none, as the temporal CLI does', () => {
    for (const file of [writeFile('empty.toml', ''), writeFile('comments.toml', '# no profiles yet\n'), os.devNull]) {
      assert.deepEqual(loadTemporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_ADDRESS: '127.0.0.1:7233' }), {
        connection: { address: '127.0.0.1:7233' },
        namespace: 'default',
      });
      expectSettingsError({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' }, ['TEMPORAL_PROFILE=prod', file], /it has: none/);
    }
  });

  test('a profile file that cannot be read or is not TOML names TEMPORAL_CONFIG_FILE', () => {
    expectSettingsError({ TEMPORAL_CONFIG_FILE: missingFile }, ['TEMPORAL_CONFIG_FILE', missingFile], /cannot be read/);
    const notToml = writeFile('not.toml', 'api_key = "secret-123"\n[profile.default\n');
    const error = expectSettingsError({ TEMPORAL_CONFIG_FILE: notToml }, ['TEMPORAL_CONFIG_FILE', notToml], /not a valid profile file/);
    assert.ok(!error.message.includes('secret-123'), `the error quotes the file: ${error.message}`);
    const passwd = writeFile('passwd', 'root:x:0:0:root:/root:/bin/bash\n');
    expectSettingsError({ TEMPORAL_CONFIG_FILE: passwd }, ['TEMPORAL_CONFIG_FILE', passwd], /not a valid profile file/);
  });

  test('a TEMPORAL_TLS that is not true or false, or an empty address, names the variable', () => {
    expectSettingsError({ TEMPORAL_TLS: 'yes' }, ['TEMPORAL_TLS'], /must be true or false/);
    expectSettingsError({ TEMPORAL_ADDRESS: '' }, ['TEMPORAL_ADDRESS']);
    expectSettingsError({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' }, [
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
      'TEMPORAL_TLS_SERVER_NAME',
    ]);
    expectSettingsError({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CLIENT_CERT_PATH: certFile, TEMPORAL_TLS_CLIENT_KEY_PATH: keyFile }, [
      'TEMPORAL_TLS',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
    ]);
  });

  test('the names this project read before are refused with the name that replaces them', () => {
    expectSettingsError({ TEMPORAL_TLS_CERT_FILE: certFile }, ['TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_CLIENT_CERT_PATH']);
    expectSettingsError({ TEMPORAL_TLS_KEY_FILE: keyFile }, ['TEMPORAL_TLS_KEY_FILE', 'TEMPORAL_TLS_CLIENT_KEY_PATH']);
    expectSettingsError({ TEMPORAL_TLS_CA_FILE: caFile }, ['TEMPORAL_TLS_CA_FILE', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH']);
  });
});
