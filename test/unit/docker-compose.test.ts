import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv, { type ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { X509Certificate } from 'node:crypto';
import { parseKeyring } from '../../platform/aes-gcm-codec';
import { parseTokenFile } from '../../platform/operator-identity';
import { loadTemporalSettings } from '../../platform/temporal-settings';
import { ORDER_SEARCH_ATTRIBUTES, cliTypeOf } from '../../domain/search-attributes';
import { DEV_KEY_FILES } from '../../sandbox/dev-keys';

// The deployment files, checked statically: the build machines and CI have no Docker engine, so
// `docker compose config` cannot run here. The compose file is parsed, interpolated with .env.example
// as docker compose would, and validated against the Compose specification's JSON schema
// (test/fixtures/compose-spec.json: schema/compose-spec.json of github.com/compose-spec/compose-spec,
// commit a08f8d51631b7127ddac3d2c65537db429d0f1d0, Apache-2.0; the copy docker compose itself uses
// lives in compose-spec/compose-go). Then the rules of this deployment are checked one by one.

const root = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

// ---------------------------------------------------------------- loading

interface Dependency {
  condition?: string;
  required?: boolean;
}
interface ServiceSecret {
  source: string;
  target?: string;
}
interface Service {
  image?: string;
  build?: string | { context?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | Array<string | { path: string }>;
  secrets?: Array<string | ServiceSecret>;
  configs?: Array<string | { source: string }>;
  volumes?: Array<string | { type?: string; source?: string }>;
  depends_on?: string[] | Record<string, Dependency>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  profiles?: string[];
  ports?: unknown[];
  container_name?: string;
  restart?: string;
  user?: string;
}
interface Compose {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string; environment?: string; external?: boolean }>;
  configs?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}

/** YAML as docker compose reads it: merge keys (`<<: *anchor`) on, duplicate keys an error. */
function parseYaml(source: string): unknown {
  const doc = parseDocument(source, { merge: true, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
  return doc.toJS();
}

/** KEY=VALUE lines of an env file; `# KEY=...` lines count as documented but unset. */
function parseEnvFile(source: string) {
  const values = new Map<string, string>();
  const documented = new Set<string>();
  for (const line of source.split('\n')) {
    const set = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (set) {
      values.set(set[1], set[2]);
      documented.add(set[1]);
    }
    const commented = /^#\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    if (commented) documented.add(commented[1]);
  }
  return { values, documented };
}

/**
 * Compose interpolation of every string in the model: `$$`, `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`,
 * `${VAR:?e}`, `${VAR?e}`, `${VAR:+a}`, `${VAR+a}`. Returns the result and the names it used.
 */
function interpolate(model: unknown, env: Map<string, string>) {
  const used = new Set<string>();
  const pattern = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;
  const one = (text: string): string => {
    const out = text.replace(pattern, (_m, dollar?: string, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (dollar) return '$';
      const name = (braced ?? bare)!;
      used.add(name);
      const value = env.get(name);
      const set = value !== undefined;
      const nonEmpty = set && value !== '';
      switch (op) {
        case undefined:
          return value ?? '';
        case ':-':
          return nonEmpty ? value : arg!;
        case '-':
          return set ? value : arg!;
        case ':?':
          if (!nonEmpty) throw new Error(`${name}: ${arg}`);
          return value;
        case '?':
          if (!set) throw new Error(`${name}: ${arg}`);
          return value;
        case ':+':
          return nonEmpty ? arg! : '';
        case '+':
          return set ? arg! : '';
        default:
          throw new Error(`unsupported interpolation ${op}`);
      }
    });
    assert.doesNotMatch(out, /\$\{/, `an interpolation compose would not understand in: ${text}`);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return one(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { model: walk(model), used };
}

function composeValidator() {
  const schema = JSON.parse(read('test/fixtures/compose-spec.json')) as { $schema: string; title: string };
  assert.equal(schema.title, 'Compose Specification');
  // Unknown keywords are errors (strict); the schema's own style of untyped subschemas is not.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
  // The schema names draft-07 by its https URL; Ajv registers draft-07 under the http one.
  const draft07 = JSON.parse(fs.readFileSync(require.resolve('ajv/dist/refs/json-schema-draft-07.json'), 'utf8')) as object;
  ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
  const validate = ajv.compile(schema); // also validates the vendored schema against draft-07
  return (model: unknown): ErrorObject[] => (validate(model) ? [] : [...(validate.errors ?? [])]);
}

const validate = composeValidator();
const composeText = read('docker-compose.yml');
const raw = parseYaml(composeText);
const envExample = parseEnvFile(read('.env.example'));
const { model: interpolated, used: variablesUsed } = interpolate(raw, envExample.values);
const compose = interpolated as Compose;
const services = compose.services;

const describeErrors = (errors: ErrorObject[]) => errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');

// ---------------------------------------------------------------- helpers over the model

/** The text of a process's entry file and of every project file it imports, transitively. */
function sourceOfProcess(entry: string): string {
  const seen = new Set<string>();
  const texts: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    texts.push(text);
    for (const m of text.matchAll(/(?:from|import|require\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = path.normalize(path.join(path.dirname(file), m[1]));
      const candidates = [`${target}.ts`, path.join(target, 'index.ts'), target];
      const found = candidates.find((c) => fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile());
      if (found) visit(found);
    }
  };
  visit(entry);
  return texts.join('\n');
}

const ONE_SHOT = new Set(['temporal-schema', 'temporal-setup', 'dev-secrets']);
const NODE_SERVICES = {
  worker: 'lib/workers/main.js',
  'notify-receiver': 'lib/notify-receiver/main.js',
  'codec-server': 'lib/codec-server/main.js',
  sandbox: 'lib/sandbox/main.js',
} as const;

function envOf(s: Service): Record<string, string> {
  const e = s.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv) => [kv.split('=')[0], kv.slice(kv.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v ?? '')]));
}
function dependsOn(s: Service): Record<string, Dependency> {
  const d = s.depends_on ?? {};
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, {}])) : d;
}
function secretsOf(s: Service): ServiceSecret[] {
  return (s.secrets ?? []).map((x) => (typeof x === 'string' ? { source: x } : x));
}
/** Where a service secret appears in its container. */
function secretPath(x: ServiceSecret) {
  const target = x.target ?? x.source;
  return target.startsWith('/') ? target : `/run/secrets/${target}`;
}
function script(s: Service): string {
  const parts = [s.entrypoint, s.command].flatMap((p) => (p === undefined ? [] : Array.isArray(p) ? p : [p]));
  return parts.join(' ').replace(/\\\n\s*/g, ' ');
}

// ---------------------------------------------------------------- the schema

describe('docker-compose.yml against the Compose specification', () => {
  test('parses as YAML, with no duplicate key', () => {
    assert.equal(typeof raw, 'object');
    assert.ok(services && Object.keys(services).length > 0);
  });

  test('is valid as written and after interpolation with .env.example', () => {
    assert.deepEqual(describeErrors(validate(raw)), '');
    assert.deepEqual(describeErrors(validate(interpolated)), '');
  });

  test('a broken copy is rejected, so the check can fail', () => {
    const broken = (mutate: (c: Compose & Record<string, unknown>) => void) => {
      const copy = structuredClone(interpolated) as Compose & Record<string, unknown>;
      mutate(copy);
      return validate(copy);
    };
    const cases: Array<[string, (c: Compose & Record<string, unknown>) => void, string]> = [
      ['a misspelt service key', (c) => void ((c.services.worker as Record<string, unknown>).helthcheck = {}), '/services/worker'],
      [
        'an unknown depends_on condition',
        (c) => void (dependsOn(c.services.worker)['temporal-setup'].condition = 'service_ready'),
        '/services/worker/depends_on',
      ],
      [
        'a secret with neither file nor a known key',
        (c) => void (c.secrets!.merchant_private_key = { fil: 'x.pem' } as never),
        '/secrets/merchant_private_key',
      ],
      ['ports that are not a list', (c) => void (c.services['notify-receiver'].ports = 8091 as never), '/services/notify-receiver/ports'],
      ['a misspelt top-level key', (c) => void (c.service = {}), ''],
      [
        'a healthcheck test that is a number',
        (c) => void (c.services.worker.healthcheck!.test = 42 as never),
        '/services/worker/healthcheck/test',
      ],
    ];
    for (const [what, mutate, at] of cases) {
      const errors = broken(mutate);
      assert.ok(errors.length > 0, `${what}: the schema accepted it`);
      assert.ok(
        errors.some((e) => e.instancePath.startsWith(at)),
        `${what}: expected an error at ${at || '/'}, got ${describeErrors(errors)}`,
      );
    }
    // And a file that is not even YAML.
    assert.throws(() => parseYaml(composeText.replace('services:\n', 'services:\n  worker: [\n')));
    assert.throws(() => parseYaml(`${composeText}\nservices: {}\n`), /unique/);
  });

  test('every variable it uses is documented in .env.example', () => {
    const undocumented = [...variablesUsed].filter((v) => !envExample.documented.has(v));
    assert.deepEqual(undocumented, [], 'variables docker-compose.yml reads but .env.example does not describe');
  });
});

// ---------------------------------------------------------------- the rules of this deployment

describe('docker-compose.yml: the deployment', () => {
  test('has the Temporal server on PostgreSQL, the Web UI, the setup, the worker, the receiver and the sandbox', () => {
    assert.match(services.postgresql?.image ?? '', /^postgres:/);
    assert.match(services.temporal?.image ?? '', /^temporalio\/(server|auto-setup):/);
    assert.equal(envOf(services.temporal).DB, 'postgres12');
    assert.equal(envOf(services.temporal).POSTGRES_SEEDS, 'postgresql');
    assert.match(services['temporal-ui']?.image ?? '', /^temporalio\/ui:/);
    assert.match(services['temporal-setup']?.image ?? '', /^temporalio\/admin-tools:/);
    for (const name of Object.keys(NODE_SERVICES)) assert.ok(services[name], `no ${name} service`);
  });

  test('every long-running service has a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      if (ONE_SHOT.has(name)) continue;
      const hc = s.healthcheck;
      assert.ok(hc && !hc.disable, `${name} has no health check`);
      const t = Array.isArray(hc.test) ? hc.test : [hc.test];
      assert.ok(['CMD', 'CMD-SHELL'].includes(t[0] ?? ''), `${name}: healthcheck.test must start with CMD or CMD-SHELL`);
      assert.ok(t.length > 1, `${name}: empty health check`);
    }
  });

  test('the Node services probe the endpoints their processes serve', () => {
    const probe = (name: string) => script({ command: services[name].healthcheck!.test });
    assert.match(probe('worker'), /METRICS_PORT \|\| 9464\) \+ '\/metrics'/);
    assert.match(probe('notify-receiver'), /NOTIFY_PORT \|\| 8091\) \+ '\/healthz'/);
    assert.match(probe('sandbox'), /SANDBOX_PORT \|\| 8090\) \+ '\/sandbox\/clock'/);
    assert.match(probe('codec-server'), /CODEC_PORT \|\| 8888\) \+ '\/healthz'/);
  });

  test('one-shot services run once and are waited for until they complete', () => {
    for (const name of ONE_SHOT) {
      assert.ok(services[name], `no ${name} service`);
      assert.equal(services[name].restart, 'no', `${name} must not be restarted`);
    }
  });

  test('each depends_on names a real service, with the condition that fits it', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, cfg] of Object.entries(dependsOn(s))) {
        const target = services[dep];
        assert.ok(target, `${name} depends on ${dep}, which is not a service`);
        assert.notEqual(dep, name, `${name} depends on itself`);
        const want = ONE_SHOT.has(dep) ? 'service_completed_successfully' : 'service_healthy';
        assert.equal(cfg.condition, want, `${name} → ${dep}`);
        // A dependency that a profile can switch off must be optional, or compose refuses to start.
        const sameProfiles = (target.profiles ?? []).every((p) => (s.profiles ?? []).includes(p));
        if (!sameProfiles)
          assert.equal(cfg.required, false, `${name} → ${dep} is in profile ${target.profiles?.join(',')}: required must be false`);
      }
    }
    // No cycle.
    const visiting = new Set<string>();
    const visit = (n: string, trail: string[]) => {
      assert.ok(!visiting.has(n), `depends_on cycle: ${[...trail, n].join(' → ')}`);
      visiting.add(n);
      for (const d of Object.keys(dependsOn(services[n]))) visit(d, [...trail, n]);
      visiting.delete(n);
    };
    for (const n of Object.keys(services)) visit(n, []);
  });

  test('the worker and the receiver wait for the setup, the worker for the sandbox', () => {
    assert.ok(dependsOn(services.worker)['temporal-setup']);
    assert.ok(dependsOn(services.worker).sandbox);
    assert.ok(dependsOn(services['notify-receiver'])['temporal-setup']);
    assert.equal(dependsOn(services.temporal)['temporal-schema']?.condition, 'service_completed_successfully');
  });

  test('secrets, configs and named volumes used by services are declared', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const x of secretsOf(s)) assert.ok(compose.secrets?.[x.source], `${name} uses undeclared secret ${x.source}`);
      for (const c of s.configs ?? []) {
        const source = typeof c === 'string' ? c : c.source;
        assert.ok(compose.configs?.[source], `${name} uses undeclared config ${source}`);
      }
      for (const v of s.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0] : (v.source ?? '');
        const named = source !== '' && !source.startsWith('.') && !source.startsWith('/') && !source.startsWith('~');
        if (named) assert.ok(compose.volumes && source in compose.volumes, `${name} uses undeclared volume ${source}`);
      }
    }
  });

  test('the setup service creates the namespace and registers the eight search attributes', () => {
    const setup = script(services['temporal-setup']);
    assert.match(setup, /temporal operator namespace create --namespace "\$TEMPORAL_NAMESPACE"/);
    assert.match(setup, /temporal operator search-attribute create --namespace "\$TEMPORAL_NAMESPACE"/);
    assert.equal(envOf(services['temporal-setup']).TEMPORAL_NAMESPACE, envExample.values.get('TEMPORAL_NAMESPACE'));

    const expected = ORDER_SEARCH_ATTRIBUTES.map((k) => k.name).sort();
    assert.deepEqual(expected, [
      'CustomsCode',
      'CustomsStatus',
      'DeclarationStatus',
      'OrderStage',
      'PaymentStatus',
      'ReconciliationIssue',
      'RefundStatus',
      'StageSince',
      'StuckReason',
    ]);
    const registered = [...setup.matchAll(/--name (\w+) --type (\w+)/g)].map((m) => ({ name: m[1], type: m[2] }));
    assert.deepEqual(registered.map((r) => r.name).sort(), expected);
    for (const key of ORDER_SEARCH_ATTRIBUTES) {
      assert.equal(registered.find((r) => r.name === key.name)?.type, cliTypeOf(key), key.name);
    }
  });

  test('the Node services run the built processes from one image', () => {
    const images = new Set<string>();
    for (const [name, file] of Object.entries(NODE_SERVICES)) {
      const s = services[name];
      assert.deepEqual(s.command, ['node', file], `${name} command`);
      assert.equal(s.entrypoint, undefined, `${name} must keep the image's entrypoint`);
      const context = typeof s.build === 'string' ? s.build : s.build?.context;
      assert.equal(context, '.', `${name} is built from the Dockerfile at the root`);
      images.add(s.image ?? '');
      assert.equal(s.env_file, undefined, `${name} must not read a whole env file: list its settings in environment:`);
      assert.ok(s.user && !/^(0|root)(:|$)/.test(s.user), `${name} runs as a non-root user`);
    }
    assert.equal(images.size, 1, 'one image for the Node processes');
    assert.equal(envOf(services['notify-receiver']).NOTIFY_HOST, '0.0.0.0');
    assert.equal(envOf(services.sandbox).SANDBOX_HOST, '0.0.0.0');
  });

  test('each Node service gets only the settings and secrets its own process reads', () => {
    for (const [name, file] of Object.entries(NODE_SERVICES)) {
      const source = sourceOfProcess(file.replace(/^lib\//, '').replace(/\.js$/, '.ts'));
      const env = envOf(services[name]);
      for (const setting of Object.keys(env)) {
        assert.ok(source.includes(setting), `${name} is given ${setting}, which its process never reads`);
      }
      for (const x of secretsOf(services[name])) {
        const path = secretPath(x);
        const used = Object.values(env).includes(path) || (env.KEYS_DIR && path.startsWith(`${env.KEYS_DIR}/`));
        assert.ok(used, `${name} mounts the secret ${x.source}, which none of its settings names`);
      }
    }
    // What the check above would let through only if a process read it: none of these reach the sandbox.
    const sandboxEnv = Object.keys(envOf(services.sandbox));
    for (const prefix of ['TEMPORAL_', 'ALIPAY_PLUS_', 'PAYLOAD_KEYS', 'CODEC_', 'BUYER_KEY'])
      assert.ok(!sandboxEnv.some((k) => k.startsWith(prefix)), `the sandbox must not get ${prefix}*`);
  });

  test('by default the worker and the receiver talk to the sandbox and the local Temporal', () => {
    const env = envExample.values;
    assert.equal(env.get('ALIPAY_PLUS_BASE_URL'), 'http://sandbox:8090');
    assert.equal(env.get('EPORT_BASE_URL'), 'http://sandbox:8090');
    assert.equal(env.get('ALIPAY_PLUS_CLIENT_ID'), env.get('SANDBOX_CLIENT_ID'));
    assert.equal(env.get('TEMPORAL_ADDRESS'), 'temporal:7233');
    assert.equal(env.get('NOTIFY_URL'), `http://notify-receiver:${env.get('NOTIFY_PORT')}${env.get('NOTIFY_PATH')}`);
    assert.deepEqual(env.get('COMPOSE_PROFILES')?.split(',').sort(), ['sandbox', 'temporal']);
  });

  test('the keys, the secrets and the operator credentials come from compose secrets read from files', () => {
    const fileSettings: Record<string, string[]> = {
      worker: [
        'ALIPAY_PLUS_PRIVATE_KEY_FILE',
        'ALIPAY_PLUS_PUBLIC_KEY_FILE',
        'BUYER_KEY_SECRET_FILE',
        'PAYLOAD_KEYS_FILE',
        'TEMPORAL_CONFIG_FILE',
        'CEB_SIGNING_KEY_FILE',
        'CEB_CUSTOMS_PUBLIC_KEY_FILE',
      ],
      'notify-receiver': ['ALIPAY_PLUS_PRIVATE_KEY_FILE', 'ALIPAY_PLUS_PUBLIC_KEY_FILE', 'PAYLOAD_KEYS_FILE', 'TEMPORAL_CONFIG_FILE'],
      'codec-server': ['OPERATOR_TOKENS_FILE', 'CODEC_TLS_CERT_FILE', 'CODEC_TLS_KEY_FILE', 'PAYLOAD_KEYS_FILE'],
      'temporal-ui': ['UI_OIDC_CLIENT_SECRET_FILE'],
    };
    for (const [name, settings] of Object.entries(fileSettings)) {
      const s = services[name];
      const mounted = new Set(secretsOf(s).map(secretPath));
      for (const setting of settings) {
        const value = envOf(s)[setting];
        assert.ok(value && mounted.has(value), `${name}: ${setting}=${value} is not one of its secrets`);
      }
    }
    const sandbox = services.sandbox;
    assert.equal(envOf(sandbox).KEYS_DIR, '/run/secrets');
    assert.deepEqual(
      secretsOf(sandbox).map(secretPath).sort(),
      Object.values(DEV_KEY_FILES)
        .sort()
        .map((f) => `/run/secrets/${f}`),
    );
    for (const [name, secret] of Object.entries(compose.secrets ?? {})) {
      assert.ok(secret.file, `secret ${name} must be read from a file`);
      assert.equal(secret.environment, undefined, `secret ${name} must not come from the environment`);
    }
  });

  test('the worker, the receiver and the codec server share one payload keyring, a secret whose host path is in .env', () => {
    const keyringSource = (name: string) => {
      const s = services[name];
      assert.equal(envOf(s).PAYLOAD_KEYS_FILE, '/run/secrets/payload-keys', `${name}: PAYLOAD_KEYS_FILE`);
      assert.equal(envOf(s).PAYLOAD_KEYS, undefined, `${name}: the keyring must not be inlined`);
      const mounted = secretsOf(s).find((x) => secretPath(x) === '/run/secrets/payload-keys');
      assert.ok(mounted, `${name} does not mount the payload keys`);
      return mounted.source;
    };
    const sources = new Set(['worker', 'notify-receiver', 'codec-server'].map(keyringSource));
    assert.deepEqual([...sources], ['payload_keys'], 'one keyring secret for the three processes');
    assert.equal(envExample.values.get('PAYLOAD_KEYS_PATH'), './.dev/payload-keys');
    assert.equal(compose.secrets?.payload_keys?.file, envExample.values.get('PAYLOAD_KEYS_PATH'));
    assert.match(composeText, /file: \$\{PAYLOAD_KEYS_PATH:-\.\/\.dev\/payload-keys\}/, 'the host path comes from .env');
    // The sandbox speaks Alipay+, not Temporal: it needs no keyring.
    assert.equal(
      secretsOf(services.sandbox).some((x) => x.source === 'payload_keys'),
      false,
    );
  });

  test('the codec server: the built process on all interfaces, a /healthz probe, operators checked at the OpenID provider, HTTPS for the UI', () => {
    const codec = services['codec-server'];
    const env = envOf(codec);
    const example = envExample.values;
    assert.deepEqual(codec.command, ['node', 'lib/codec-server/main.js']);
    assert.equal(env.CODEC_HOST, '0.0.0.0');
    assert.equal(env.CODEC_PORT, '8888');
    // No shared secret: each operator is known, by the provider (OIDC) or by a personal token's hash.
    for (const gone of ['CODEC_TOKEN', 'CODEC_TOKEN_FILE']) assert.equal(env[gone], undefined, `${gone} is gone`);
    assert.equal(compose.secrets?.codec_token, undefined, 'no shared codec token secret');
    assert.equal(env.OPERATOR_OIDC_ISSUER, example.get('OIDC_ISSUER_URL'));
    assert.equal(env.OPERATOR_DECRYPT_GROUP, example.get('OPERATOR_DECRYPT_GROUP'));
    assert.equal(compose.secrets?.operator_tokens?.file, example.get('OPERATOR_TOKENS_PATH'));

    const hc = codec.healthcheck!.test as string[];
    assert.deepEqual(hc.slice(0, 3), ['CMD', 'node', '-e']);
    assert.match(hc[3], /^fetch\('http:\/\/127\.0\.0\.1:' \+ \(process\.env\.CODEC_PORT \|\| 8888\) \+ '\/healthz'\)/);
    assert.match(hc[3], /process\.exit\(r\.ok \? 0 : 1\)/);

    // Published on the host's loopback: plain HTTP for the CLI, HTTPS for the browser.
    assert.deepEqual(codec.ports, [
      `127.0.0.1:${example.get('CODEC_PUBLISHED_PORT')}:${env.CODEC_PORT}`,
      `127.0.0.1:${example.get('CODEC_TLS_PUBLISHED_PORT')}:${env.CODEC_TLS_PORT}`,
    ]);
    assert.equal(example.get('CODEC_PUBLIC_URL'), `https://127.0.0.1:${example.get('CODEC_TLS_PUBLISHED_PORT')}`);
    // CORS lets the Web UI's origin through, as the browser on the host sees it.
    const origins = (env.CODEC_ALLOWED_ORIGINS ?? '').split(',');
    assert.ok(origins.includes(example.get('TEMPORAL_UI_PUBLIC_URL')!), `CODEC_ALLOWED_ORIGINS ${env.CODEC_ALLOWED_ORIGINS}`);
    assert.equal(example.get('TEMPORAL_UI_PUBLIC_URL'), `http://127.0.0.1:${example.get('TEMPORAL_UI_PORT')}`);
  });

  test("the Web UI signs operators in at the OpenID provider and passes their token to the codec server's HTTPS endpoint", () => {
    const ui = services['temporal-ui'];
    const env = envOf(ui);
    const example = envExample.values;
    assert.equal(env.TEMPORAL_AUTH_ENABLED, 'true');
    assert.equal(env.TEMPORAL_AUTH_PROVIDER_URL, example.get('OIDC_ISSUER_URL'));
    assert.equal(env.TEMPORAL_AUTH_PROVIDER_URL, envOf(services['codec-server']).OPERATOR_OIDC_ISSUER, 'one provider for both');
    assert.equal(env.TEMPORAL_AUTH_CALLBACK_URL, `${example.get('TEMPORAL_UI_PUBLIC_URL')}/auth/sso/callback`);
    assert.ok(env.TEMPORAL_AUTH_SCOPES.split(',').includes('groups'), 'the groups scope, which the codec server decides on');
    // The endpoint carries no secret, and is https: the UI passes the user's token only to such an endpoint.
    assert.equal(env.TEMPORAL_CODEC_ENDPOINT, example.get('CODEC_PUBLIC_URL'));
    assert.match(env.TEMPORAL_CODEC_ENDPOINT, /^https:\/\/[^/]+$/);
    assert.equal(env.TEMPORAL_CODEC_PASS_ACCESS_TOKEN, 'true');
    assert.equal(env.TEMPORAL_AUTH_CLIENT_SECRET, undefined, 'the client secret is never written in the file');
    assert.ok(
      secretsOf(ui).some((x) => x.source === 'ui_oidc_client_secret' && secretPath(x) === env.UI_OIDC_CLIENT_SECRET_FILE),
      'the UI mounts its client secret',
    );
    // entrypoint + command: `/bin/sh -c <the script>`, which exports the secret and runs the image's own entrypoint.
    assert.deepEqual(ui.entrypoint, ['/bin/sh', '-c']);
    assert.ok(Array.isArray(ui.command) && ui.command.length === 1, 'the command is one shell script');
    const start = ui.command[0];
    assert.match(start, /exec \.\/start-ui-server\.sh\s*$/, "then runs the image's own entrypoint");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-ui-'));
    try {
      fs.writeFileSync(path.join(dir, 'client-secret'), 's3cret-from-the-provider\n');
      fs.writeFileSync(path.join(dir, 'start-ui-server.sh'), '#!/bin/sh\necho "$TEMPORAL_AUTH_CLIENT_SECRET"\n', { mode: 0o755 });
      const out = execFileSync('/bin/sh', ['-c', start], {
        cwd: dir,
        env: { PATH: process.env.PATH, UI_OIDC_CLIENT_SECRET_FILE: path.join(dir, 'client-secret') },
        encoding: 'utf8',
      });
      assert.equal(out.trim(), 's3cret-from-the-provider');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('dev-secrets creates the keyring, the operator token list, the Temporal profile and the codec TLS pair, once', () => {
    const devSecrets = services['dev-secrets'];
    assert.ok((devSecrets.volumes ?? []).includes('./.dev:/out'));
    const program = (devSecrets.command as string[]).at(-1)!;
    assert.match(program, /'\/out\/payload-keys': \(\) => newKeySpec\('dev1'\)/);
    // The files it writes are the ones the secrets read by default (the UI's client secret comes from the provider).
    for (const secret of ['payload_keys', 'buyer_key_secret', 'operator_tokens', 'temporal_profile', 'codec_tls_cert', 'codec_tls_key']) {
      const file = compose.secrets![secret].file!;
      assert.match(file, /^\.\/\.dev\//, secret);
      assert.ok(program.includes(`'${file.replace(/^\.\/\.dev\//, '/out/')}'`), `dev-secrets does not create ${file}`);
    }

    // Run it against a scratch folder, with the sources in place of the image's lib/ (tsx compiles them).
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-dev-secrets-'));
    try {
      const local = program
        .replaceAll("'/out", `'${out}`)
        .replace("'./lib/sandbox/dev-keys.js'", JSON.stringify(path.join(root, 'sandbox', 'dev-keys.ts')))
        .replace("'./lib/platform/aes-gcm-codec.js'", JSON.stringify(path.join(root, 'platform', 'aes-gcm-codec.ts')));
      const run = () =>
        execFileSync(process.execPath, ['--import', 'tsx', '-e', local], {
          cwd: root,
          env: { ...process.env, APP_UID: String(process.getuid?.() ?? 1000), APP_GID: String(process.getgid?.() ?? 1000) },
          encoding: 'utf8',
        });
      run();
      const keys = fs.readFileSync(path.join(out, 'payload-keys'), 'utf8');
      const keyring = parseKeyring(keys);
      assert.equal(keyring.currentKeyId, 'dev1');
      assert.equal(keyring.keys.get('dev1')!.length, 32);
      assert.equal(parseTokenFile(fs.readFileSync(path.join(out, 'operator-tokens'), 'utf8')).size, 0, 'no operator yet');
      const profile = loadTemporalSettings({ TEMPORAL_CONFIG_FILE: path.join(out, 'temporal.toml'), TEMPORAL_PROFILE: 'default' });
      assert.equal(profile.profile?.name, 'default');
      const cert = new X509Certificate(fs.readFileSync(path.join(out, 'codec-tls', 'cert.pem')));
      assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
      for (const f of ['payload-keys', 'buyer-key-secret', 'operator-tokens', 'temporal.toml', 'codec-tls/key.pem']) {
        assert.equal(fs.statSync(path.join(out, f)).mode & 0o777, 0o600, `${f} is readable by its owner only`);
      }
      // A second run keeps them: rotating the keyring by accident would make old histories unreadable.
      run();
      assert.equal(fs.readFileSync(path.join(out, 'payload-keys'), 'utf8'), keys);
      assert.equal(new X509Certificate(fs.readFileSync(path.join(out, 'codec-tls', 'cert.pem'))).fingerprint256, cert.fingerprint256);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('no secret value is written into the compose file or .env.example', () => {
    for (const text of [composeText, read('.env.example')]) assert.doesNotMatch(text, /-----BEGIN [A-Z ]*KEY-----/);
    const rawServices = (raw as Compose).services;
    for (const [name, s] of Object.entries(rawServices)) {
      for (const [key, value] of Object.entries(envOf(s))) {
        if (/_FILE$/.test(key)) assert.match(value, /^\/run\/secrets\//, `${name}: ${key} must point into /run/secrets`);
        else if (/PASSWORD|PWD|SECRET|API_KEY|TOKEN|PRIVATE/.test(key) && !/^(true|false)$/.test(value))
          assert.match(value, /^\$\{[A-Z_]+(:?[-?][^}]*)?\}$/, `${name}: ${key} is inlined`);
      }
    }
    // A credential is never shipped in the example: at most commented out or a placeholder.
    assert.equal(envExample.values.get('TEMPORAL_API_KEY'), undefined);
  });

  test('workers scale horizontally: no fixed container name, no host port', () => {
    for (const [name, s] of Object.entries(services)) assert.equal(s.container_name, undefined, `${name} has a container_name`);
    assert.equal(services.worker.ports, undefined);
  });
});

// ---------------------------------------------------------------- the other deployment files

describe('Dockerfile, .env.example, .gitignore', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));

  test('the Dockerfile builds on a supported Node release pinned by digest, with npm ci and npm run build, as non-root', () => {
    const args = new Map(instructions.filter((l) => /^ARG /.test(l)).map((l) => l.slice(4).split('=') as [string, string]));
    const froms = instructions
      .filter((l) => /^FROM /.test(l))
      .map((l) => l.split(/\s+/)[1].replace(/^\$\{(\w+)\}$/, (_m, n: string) => args.get(n) ?? n));
    assert.ok(froms.length > 0, 'a FROM');
    for (const from of froms) {
      const image = /^node:(\d+)-[a-z]+-slim@sha256:[0-9a-f]{64}$/.exec(from);
      assert.ok(image, `${from}: a node slim image pinned by its sha256 digest`);
      // Node's release schedule (nodejs/Release): the end of life of each LTS line.
      const endOfLife: Record<string, string> = { '22': '2027-04-30', '24': '2028-04-30', '26': '2029-04-30' };
      const eol = endOfLife[image[1]];
      assert.ok(eol && new Date() < new Date(eol), `${from}: Node ${image[1]} is not a supported LTS release (${eol ?? 'not LTS'})`);
    }
    assert.ok(
      instructions.some((l) => /^RUN .*\bnpm ci\b/.test(l)),
      'npm ci',
    );
    assert.ok(
      instructions.some((l) => /^RUN .*\bnpm run build\b/.test(l)),
      'npm run build',
    );
    const lastUser = instructions.filter((l) => /^USER /.test(l)).at(-1);
    assert.ok(lastUser && !/^USER\s+(root|0)(:|\s|$)/.test(lastUser), 'the image ends as a non-root user');
    assert.ok(
      instructions.some((l) => /^CMD \[/.test(l)),
      'a default CMD, overridden per service',
    );
  });

  test('.dockerignore keeps secrets and build output out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['.env', '.dev', 'node_modules', 'lib']) assert.ok(ignored.includes(entry), entry);
  });

  test('.env.example documents every setting of the four processes', () => {
    const settings = [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
      'TEMPORAL_API_KEY',
      'TEMPORAL_TLS',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      'TEMPORAL_TLS_SERVER_NAME',
      'TEMPORAL_PROFILE',
      'TEMPORAL_CONFIG_FILE',
      'METRICS_PORT',
      'LOG_LEVEL',
      'ALIPAY_PLUS_BASE_URL',
      'ALIPAY_PLUS_CLIENT_ID',
      'ALIPAY_PLUS_PRIVATE_KEY_FILE',
      'ALIPAY_PLUS_PUBLIC_KEY_FILE',
      'ALIPAY_PLUS_KEY_VERSION',
      'EPORT_BASE_URL',
      'NOTIFY_URL',
      'PAYMENT_REDIRECT_URL',
      'BUYER_KEY_SECRET_FILE',
      'WORKFLOW_BUNDLE_PATH',
      'NOTIFY_HOST',
      'NOTIFY_PORT',
      'NOTIFY_PATH',
      'SANDBOX_HOST',
      'SANDBOX_PORT',
      'SANDBOX_CLIENT_ID',
      'KEYS_DIR',
      'PAYLOAD_KEYS_FILE',
      'PAYLOAD_KEYS',
      'CODEC_HOST',
      'CODEC_PORT',
      'CODEC_TLS_PORT',
      'CODEC_TLS_CERT_FILE',
      'CODEC_TLS_KEY_FILE',
      'CODEC_ALLOWED_ORIGINS',
      'OPERATOR_OIDC_ISSUER',
      'OPERATOR_TOKENS_FILE',
      'OPERATOR_DECRYPT_GROUP',
      'OPERATOR_OIDC_GROUPS_CLAIM',
    ];
    assert.deepEqual(
      settings.filter((s) => !envExample.documented.has(s)),
      [],
    );
  });

  test('the Temporal settings use the names the temporal CLI reads, not the ones this project read before', () => {
    for (const [file, text] of [
      ['docker-compose.yml', composeText],
      ['.env.example', read('.env.example')],
    ]) {
      assert.doesNotMatch(text, /TEMPORAL_TLS_(CERT|KEY|CA)_FILE/, file);
    }
  });

  test('.gitignore keeps the real .env and the development keys out of git', () => {
    const ignored = read('.gitignore')
      .split('\n')
      .map((l) => l.trim());
    assert.ok(ignored.includes('.env'), '.env');
    assert.ok(ignored.includes('.dev/') || ignored.includes('.dev'), '.dev/');
  });
});
