import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { DefaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, newKeySpec, parseKeyring } from '../../platform/aes-gcm-codec';
import { OperatorVerifier, operatorIdentitySchema, tokenFileLine } from '../../platform/operator-identity';
import { projectRoot } from '../../platform/paths';
import { startCodecServer } from '../../codec-server/server';
import { ensureCodecTls } from '../../dev/codec-tls';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';

// The codec server as the Web UI and the CLI call it: who may decrypt (an OpenID provider's access token
// with the decrypt group, or a personal API token), one audit line per call, and the limits that keep a
// hostile request from killing or swelling it. The crash and limit tests run the real process
// (codec-server/main.ts), so a crash shows as an exit, as it did before the Fastify rewrite.

const converter = new DefaultPayloadConverter();
const buyer = { fullName: '张三', certificateNo: '110105194912310021' };
const ORIGIN = 'http://127.0.0.1:8233';
const dir = mkdtempSync(join(tmpdir(), 'codec-server-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const keySpec = newKeySpec('k1');
const codec = new AesGcmCodec(parseKeyring(keySpec));
const asJson = (p: { metadata?: Record<string, Uint8Array | null> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
  data: Buffer.from(p.data!).toString('base64'),
});
const encryptedBuyer = async () => asJson((await codec.encode([converter.toPayload(buyer)]))[0]);

/** A minimal OpenID provider: discovery and userinfo for two access tokens. The browser test uses the real one. */
const USERS: Record<string, object> = {
  'tok-alice': { sub: 'u-alice', preferred_username: 'alice', groups: ['pii-readers', 'ops'] },
  'tok-bob': { sub: 'u-bob', preferred_username: 'bob', groups: ['ops'] },
};
let userinfoCalls = 0;
let provider: Server;
let issuer: string;
before(async () => {
  provider = createServer((req, res) => {
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/openid-configuration') return json(200, { issuer, userinfo_endpoint: `${issuer}/me` });
    if (req.url === '/me') {
      userinfoCalls++;
      const user = USERS[(req.headers.authorization ?? '').replace(/^Bearer /, '')];
      return user ? json(200, user) : json(401, { error: 'invalid_token' });
    }
    json(404, {});
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
  issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});
after(() => provider.close());

const tokensFile = join(dir, 'operator-tokens');
writeFileSync(
  tokensFile,
  `# CLI tokens\n${tokenFileLine('carol', 'carol-token-0123456789')}\n${tokenFileLine('dave', 'dave-token-0123456789')}\n`,
);

describe('codec server: who may decrypt, and the audit', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      );
      done();
    },
  });
  let server: { url: string; close(): Promise<void> };
  before(async () => {
    const settings = operatorIdentitySchema.parse({ OPERATOR_OIDC_ISSUER: issuer, OPERATOR_TOKENS_FILE: tokensFile });
    server = await startCodecServer({
      codec,
      verifier: new OperatorVerifier(settings),
      allowedOrigins: [ORIGIN],
      port: 0,
      logger: pino({ level: 'info' }, sink),
    });
  });
  after(() => server.close());

  const decode = async (headers: Record<string, string>, body?: unknown) =>
    fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-namespace': 'default', ...headers },
      body: JSON.stringify(body ?? { payloads: [await encryptedBuyer()] }),
    });
  const lastAudit = () => lines.filter((l) => l.audit === 'codec').at(-1)!;

  test('a signed-in member of the decrypt group gets plaintext; the audit line names them, not the payload', async () => {
    const res = await decode({ authorization: 'Bearer tok-alice' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
    const body = (await res.json()) as { payloads: { data: string }[] };
    assert.deepEqual(JSON.parse(Buffer.from(body.payloads[0].data, 'base64').toString()), buyer);
    const line = lastAudit();
    assert.equal(line.operator, 'alice');
    assert.equal(line.via, 'oidc');
    assert.equal(line.decision, 'allowed');
    assert.equal(line.op, 'decode');
    assert.equal(line.namespace, 'default');
    assert.equal(line.payloads, 1);
    assert.equal(line.origin, ORIGIN);
    assert.equal(typeof line.time, 'number');
    const all = JSON.stringify(lines);
    assert.ok(!all.includes(buyer.certificateNo) && !all.includes('tok-alice'), 'no payload, no token in the log');
  });

  test('a known person outside the group gets 403 naming the rule, and a denied audit line', async () => {
    const res = await decode({ authorization: 'Bearer tok-bob' });
    assert.equal(res.status, 403);
    const text = await res.text();
    assert.match(text, /only members of the group pii-readers/);
    assert.ok(!text.includes(buyer.certificateNo));
    assert.equal(lastAudit().operator, 'bob');
    assert.equal(lastAudit().decision, 'denied');
    assert.equal(lastAudit().status, 403);
  });

  test('no token, a malformed header or a token the provider refuses: 401 naming the rule', async () => {
    const none = await decode({});
    assert.equal(none.status, 401);
    assert.match(await none.text(), /Authorization: Bearer <token> header is required/);
    assert.equal(lastAudit().decision, 'denied');
    assert.equal(lastAudit().operator, null);
    const basic = await decode({ authorization: 'Basic Y2Fyb2w6eA==' });
    assert.equal(basic.status, 401);
    assert.match(await basic.text(), /must be Bearer <token>/);
    const unknown = await decode({ authorization: 'Bearer tok-mallory' });
    assert.equal(unknown.status, 401);
    assert.match(await unknown.text(), /does not accept the access token/);
    assert.equal(lastAudit().rule, 'the OpenID provider does not accept the access token (expired, revoked or unknown)');
  });

  test('verdicts are cached briefly: a second call does not ask the provider again', async () => {
    await decode({ authorization: 'Bearer tok-alice' });
    const before = userinfoCalls;
    await decode({ authorization: 'Bearer tok-alice' });
    assert.equal(userinfoCalls, before);
  });

  test('personal CLI tokens: each person is named; revoking one leaves the other working', async () => {
    assert.equal((await decode({ authorization: 'Bearer carol-token-0123456789' })).status, 200);
    assert.equal(lastAudit().operator, 'carol');
    assert.equal(lastAudit().via, 'api-token');
    writeFileSync(tokensFile, `${tokenFileLine('dave', 'dave-token-0123456789')}\n`);
    const revoked = await decode({ authorization: 'Bearer carol-token-0123456789' });
    assert.equal(revoked.status, 401);
    assert.equal((await decode({ authorization: 'Bearer dave-token-0123456789' })).status, 200);
    assert.equal(lastAudit().operator, 'dave');
  });

  test('encode is audited too, and a body that is not a payload batch is 400 naming its shape', async () => {
    const res = await fetch(`${server.url}/encode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok-alice' },
      body: JSON.stringify({ payloads: [asJson(converter.toPayload('x'))] }),
    });
    assert.equal(res.status, 200);
    assert.equal(lastAudit().op, 'encode');
    // protojson (the temporal CLI) leaves out an empty list: {} is a batch of none.
    const empty = await decode({ authorization: 'Bearer tok-alice' }, {});
    assert.equal(empty.status, 200);
    assert.deepEqual(await empty.json(), { payloads: [] });
    const bad = await decode({ authorization: 'Bearer tok-alice' }, { payloads: 'nope' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /^the body must be \{"payloads"/);
    assert.equal(lastAudit().decision, 'refused');
  });

  test('answers CORS preflight for the UI origin only', async () => {
    const ok = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: ORIGIN } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const other = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});

test('with a certificate it serves HTTPS, as the Web UI needs to pass the access token', async () => {
  const { certFile, keyFile } = ensureCodecTls(join(dir, 'tls'));
  const server = await startCodecServer({
    codec,
    verifier: new OperatorVerifier(operatorIdentitySchema.parse({ OPERATOR_TOKENS_FILE: tokensFile })),
    allowedOrigins: [ORIGIN],
    port: 0,
    tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  });
  try {
    assert.match(server.url, /^https:/);
    const { port } = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) =>
      httpsRequest({ hostname: '127.0.0.1', port, path: '/healthz', ca: readFileSync(certFile) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    assert.equal(status, 200);
  } finally {
    await server.close();
  }
});

describe('codec server process: hostile requests neither crash it nor swell it', () => {
  const TOKEN = 'erin-token-0123456789abcdef';
  let child: ChildProcess;
  let url: string;
  let output = '';
  before(async () => {
    const keysFile = join(dir, 'keys');
    writeFileSync(keysFile, keySpec);
    const file = join(dir, 'process-tokens');
    writeFileSync(file, `${tokenFileLine('erin', TOKEN)}\n`);
    child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot(), 'codec-server/main.ts')], {
      cwd: projectRoot(),
      env: {
        PATH: process.env.PATH,
        CODEC_PORT: '0',
        PAYLOAD_KEYS_FILE: keysFile,
        OPERATOR_TOKENS_FILE: file,
        CODEC_MAX_IN_FLIGHT: '4',
        CODEC_TOKEN: TOKEN, // read only by the server before the Fastify rewrite, so this file can be run against it
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the codec server did not start: ${output}`)), 30_000);
      const look = () => {
        const m = /"url":"(http:[^"]+)"/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        } else setTimeout(look, 100);
      };
      look();
    });
  });
  after(() => child.kill('SIGKILL'));

  /** A raw request, since fetch normalises some malformed paths before sending them. */
  const raw = (method: string, path: string, body = '', headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(url);
      const req = request(
        { hostname, port, path, method, agent: false, headers: { 'content-type': 'application/json', ...headers } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const alive = async () => {
    assert.equal(child.exitCode, null, `the codec server exited: ${output.slice(-800)}`);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  };

  test('a malformed percent-escape in the path (POST /t/%ZZ/decode) is refused and the server lives on', async () => {
    const status = await raw('POST', '/t/%ZZ/decode', '{}');
    await new Promise((r) => setTimeout(r, 300));
    await alive();
    assert.ok(status >= 400 && status < 500, `status ${status}`);
  });

  test('garbage paths and methods are 4xx, never a crash', async () => {
    for (const [method, path] of [
      ['POST', '/%'],
      ['POST', '/decode%00'],
      ['GET', '/decode'],
      ['POST', '/../../etc/passwd'],
      ['DELETE', '/encode'],
      ['POST', `/${'a'.repeat(5000)}`],
    ]) {
      const status = await raw(method, path, '{"payloads":[]}', { authorization: `Bearer ${TOKEN}` });
      assert.ok(status >= 400 && status < 500, `${method} ${path.slice(0, 30)}: ${status}`);
    }
    await alive();
  });

  test('a body over the limit is refused with 413 before it is read, from a caller with a valid token', async () => {
    // The headers announce 8 MiB and only the first 64 KiB are sent: the answer must come without the rest.
    const { hostname, port } = new URL(url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          hostname,
          port,
          path: '/decode',
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': String(8 * 1024 * 1024), authorization: `Bearer ${TOKEN}` },
        },
        (res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (error) => reject(error));
      req.setTimeout(10_000, () => reject(new Error('no answer within 10 s: the server waits for the whole body')));
      req.write(`{"payloads":[{"data":"${'A'.repeat(64 * 1024)}`);
    });
    assert.equal(status, 413);
    await alive();
  });

  test('past CODEC_MAX_IN_FLIGHT (4) requests at once, the next is answered 503 at once, and work resumes after', async () => {
    const { hostname, port } = new URL(url);
    // Four slow callers: headers and a first chunk, the rest of the body never comes.
    const slow = Array.from({ length: 4 }, () => {
      const req = request({
        hostname,
        port,
        path: '/decode',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': '1000', authorization: `Bearer ${TOKEN}` },
      });
      req.on('error', () => undefined);
      req.write('{"payloads":');
      return req;
    });
    await new Promise((r) => setTimeout(r, 500));
    const busy = await raw('POST', '/decode', '{"payloads":[]}', { authorization: `Bearer ${TOKEN}` });
    slow.forEach((req) => req.destroy());
    assert.equal(busy, 503);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await raw('POST', '/decode', '{"payloads":[]}', { authorization: `Bearer ${TOKEN}` }), 200);
    await alive();
  });

  test('a body that is not JSON is 400, and the server lives on', async () => {
    assert.equal(await raw('POST', '/decode', '{"payloads": [', { authorization: `Bearer ${TOKEN}` }), 400);
    await alive();
  });
});
