import fc from 'fast-check';
import type { Payload } from '@temporalio/common';
import type { FuzzEnv } from './env';
import { alive, checkProperty, expect, http, notRun, tally } from './harness';
import { oversizedBody } from './receiver';

// The codec server, as a browser or anyone on the network calls it: paths with and without the token
// prefix (malformed percent-encoding included), any method, credentials right and wrong, payloads
// valid and not. It must stay up, refuse with a named error, and decrypt for valid credentials only.

export const CODEC = 'codec server';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** A path segment of raw bytes a client can put on the request line, percent signs left as they are. */
const rawSegment = fc
  .array(
    fc.oneof(
      fc.constantFrom('%', '%Z', '%ZZ', '%2', '%25', '%00', '%E0%A4%A', '%C0%AF', '..', '/', 'Z', 'a', '0'),
      fc.string({ maxLength: 4 }),
    ),
    {
      maxLength: 6,
    },
  )
  .map((parts) =>
    parts
      .join('')
      .replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c))
      .replace(/[?#]/g, '_'),
  );

export async function fuzzCodec(env: FuzzEnv, runs: number) {
  const base = env.stack.codecUrl;
  const token = env.stack.codecToken;
  const pid = () => env.stack.pids()['codec-server'];
  const codec = env.stack.dataConverter.payloadCodecs![0];
  const plain: Payload = {
    metadata: { encoding: new TextEncoder().encode('json/plain') },
    data: new TextEncoder().encode('{"fullName":"张三"}'),
  };
  const [sealed] = await codec.encode([plain]);
  const sealedJson = {
    metadata: Object.fromEntries(Object.entries(sealed.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(sealed.data!),
  };

  const codecCase = fc.record({
    method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'OPTIONS', 'PUT', 'DELETE'),
    route: fc.constantFrom('/decode', '/encode'),
    prefix: fc.oneof(
      { weight: 3, arbitrary: fc.constant('none') },
      { weight: 2, arbitrary: fc.constant('token') },
      { weight: 3, arbitrary: rawSegment },
      { weight: 1, arbitrary: fc.constantFrom('%ZZ', '%', '%E0%A4%A', `${token}%ZZ`) },
    ),
    tail: fc.constantFrom('', '', '', '/', '?x=1', '/../decode', '%2F'),
    auth: fc.constantFrom('valid', 'none', 'wrong', 'basic', 'emptyBearer', 'long'),
    origin: fc.constantFrom(undefined, 'http://127.0.0.1:8233', 'http://evil.example', 'null'),
    body: fc.oneof(
      { weight: 3, arbitrary: fc.constant({ payloads: [sealedJson] }) },
      {
        weight: 2,
        arbitrary: fc.constant({
          payloads: [{ metadata: { encoding: b64(new TextEncoder().encode('json/plain')) }, data: b64(plain.data as Uint8Array) }],
        }),
      },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      {
        weight: 2,
        arbitrary: fc.record({
          payloads: fc.oneof(
            fc.array(
              fc.record({
                metadata: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 })),
                data: fc.string({ maxLength: 60 }),
              }),
              { maxLength: 3 },
            ),
            fc.constantFrom(null, 'x', 7, [null], [{ data: '!!!not base64' }], [{ metadata: { encoding: 7 } }]),
          ),
        }),
      },
      { weight: 1, arbitrary: fc.constantFrom('not json', '', '{', '['.repeat(5000) + ']'.repeat(5000)) },
    ),
  });

  const property = 'stays up, refuses with a named error, decrypts for valid credentials only';
  if (!alive(pid())) {
    notRun(env.ctx, CODEC, property, 'the codec server is not running');
    return;
  }
  let down = false;
  await checkProperty(env.ctx, CODEC, property, runs, codecCase, async (g) => {
    // Once it has died (the stack does not start it again), later cases cannot be judged.
    fc.pre(!down);
    const prefix = g.prefix === 'none' ? '' : g.prefix === 'token' ? `/t/${encodeURIComponent(token)}` : `/t/${g.prefix}`;
    const path = `${prefix}${g.route}${g.tail}`;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    const authHeader = {
      valid: `Bearer ${token}`,
      none: undefined,
      wrong: `Bearer ${token.slice(0, -1)}x`,
      basic: `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`,
      emptyBearer: 'Bearer ',
      long: `Bearer ${'A'.repeat(6000)}`,
    }[g.auth];
    if (authHeader) headers.Authorization = authHeader;
    if (g.origin) headers.Origin = g.origin;
    const body = typeof g.body === 'string' ? g.body : JSON.stringify(g.body);
    const shown = () => `${g.method} ${path} auth=${g.auth} origin=${g.origin} body=${body.slice(0, 200)}`;
    let answer: Awaited<ReturnType<typeof http>> | undefined;
    let error: unknown;
    try {
      answer = await http({
        url: base + path,
        method: g.method,
        headers,
        body: g.method === 'GET' ? undefined : body,
        timeoutMs: env.ctx.requestTimeoutMs,
      });
    } catch (e) {
      error = e;
    }
    const up =
      alive(pid()) &&
      (await http({ url: `${base}/healthz`, method: 'GET', timeoutMs: env.ctx.requestTimeoutMs }).then(
        (a) => a.status === 200,
        () => false,
      ));
    if (!up) down = true;
    expect(
      up,
      () =>
        `the codec server stopped answering /healthz after ${shown()}${error ? ` (the request: ${error instanceof Error ? error.message : 'failed'})` : ''}`,
    );
    expect(answer, () => `no answer to ${shown()}: ${error instanceof Error ? error.message : 'failed'}`);
    const a = answer;
    tally(env.ctx, CODEC, `HTTP ${a.status}`);
    expect(a.status < 500, () => `HTTP ${a.status} ${a.rawBody.slice(0, 200)} to ${shown()}`);
    if (a.status === 204) return;
    const j = a.json as { payloads?: unknown; error?: unknown; message?: unknown; code?: unknown } | undefined;
    if (a.status === 200) {
      expect(Array.isArray(j?.payloads), () => `HTTP 200 without payloads: ${a.rawBody.slice(0, 200)} to ${shown()}`);
      expect(g.auth === 'valid' || g.prefix === 'token', () => `answered 200 to a caller without valid credentials: ${shown()}`);
      return;
    }
    expect(
      [j?.error, j?.message, j?.code].some((v) => typeof v === 'string' && v.trim() !== ''),
      () => `HTTP ${a.status} names no error: ${a.rawBody.slice(0, 200)} to ${shown()}`,
    );
  });
  if (down) {
    notRun(env.ctx, CODEC, 'oversized body', 'the codec server died during the generated cases');
    return;
  }
  await oversizedBody(env, CODEC, `${base}/decode`, pid, { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` });
}
