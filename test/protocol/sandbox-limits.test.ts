import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import axios from 'axios';
import { APIS, AlipayPlusRetryableError, headerValue } from '../../alipay-plus';
import { startSandboxFixture, type SandboxFixture } from '../support/sandbox';
import { assertSignedResult, rawCall, rejectsWith, sleep, verifyResponse } from '../support/wire';

// The limits of the sandbox's HTTP server (sandbox/http-limits.ts): body size, content types, paths and
// methods, requests in flight, and timeouts. Each refusal is a 4xx or 503 that names the rule it broke,
// and the sandbox answers the next request.

const INQUIRY = APIS.inquiryPayment.path;
const LIMIT = 128 * 1024;

let f: SandboxFixture;
before(async () => (f = await startSandboxFixture()));
after(() => f.close());

/** A plain HTTP call with whatever method, path, headers and body; the answer as text and, when it is JSON, parsed. */
async function plain(baseUrl: string, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await axios.request<string>({
    method,
    url: baseUrl + path,
    data: body,
    headers,
    responseType: 'text',
    transformRequest: [(d: unknown) => d],
    transformResponse: [(d: unknown) => d],
    validateStatus: () => true,
  });
  let json: { error?: string; result?: { resultStatus: string; resultCode: string; resultMessage: string } } | undefined;
  try {
    json = JSON.parse(String(res.data)) as typeof json;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text: String(res.data), json };
}

/** The sandbox still answers: its clock helper is 200. */
async function stillAnswers(baseUrl = f.sandbox.url) {
  const res = await plain(baseUrl, 'GET', '/sandbox/clock');
  assert.equal(res.status, 200, res.text);
}

/** Streams `totalBytes` of spaces to `path` until the server answers; returns the answer and how much was sent. */
function streamBody(path: string, totalBytes: number, o: { declareLength: boolean }) {
  return new Promise<{ status: number; body: string; sentBytes: number }>((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (o.declareLength) headers['Content-Length'] = String(totalBytes);
    const req = request(f.sandbox.url + path, { method: 'POST', headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sentBytes }));
    });
    // The server closes the connection after refusing: a write error after its answer is expected.
    req.on('error', (error) => !answered && reject(error));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!answered && sentBytes < totalBytes) {
        sentBytes += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** A raw connection on which the test writes a request piece by piece; `answer` is what came back when it closed. */
function rawConnection(baseUrl: string) {
  const { hostname, port } = new URL(baseUrl);
  const socket: Socket = connect(Number(port), hostname);
  // A guard, not a measure: a sandbox that never answers fails the test instead of hanging it.
  socket.setTimeout(15_000, () => socket.destroy());
  const received: Buffer[] = [];
  socket.on('data', (c: Buffer) => received.push(c));
  const closed = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(Buffer.concat(received).toString('utf8')));
    socket.on('error', () => undefined);
  });
  return { socket, closed };
}

test('an Alipay+ call with a body over the limit is refused 413 F PARAM_ILLEGAL, signed; the next call is answered', async () => {
  const body = { paymentRequestId: 'PAY-huge', padding: 'x'.repeat(LIMIT) };
  const res = await rawCall(f.sandbox.url, { path: INQUIRY, body });
  assert.equal(res.status, 413, res.rawBody);
  assert.equal(res.body?.result.resultStatus, 'F');
  assert.equal(res.body?.result.resultCode, 'PARAM_ILLEGAL');
  assert.match(res.body?.result.resultMessage ?? '', /body limit of 131072 bytes/);
  assert.equal(verifyResponse(res, INQUIRY).ok, true, 'the refusal is signed like every other answer');

  // A body just under the limit is read and goes on to the API's own rules.
  const under = await rawCall(f.sandbox.url, { path: INQUIRY, body: { paymentRequestId: 'PAY-under', padding: 'x'.repeat(LIMIT - 200) } });
  assertSignedResult(under, INQUIRY, 'F', 'ORDER_NOT_EXIST');
});

test('a 300 MB body is refused 413 before it is read, streamed or declared, on every kind of path; the sandbox answers after', async () => {
  const total = 300 * 1024 * 1024;
  for (const [path, declareLength] of [
    ['/sandbox/faults', false],
    ['/sandbox/faults', true],
    ['/eport/orders', false],
    [INQUIRY, false],
  ] as const) {
    const res = await streamBody(path, total, { declareLength });
    assert.equal(res.status, 413, `${path}: ${res.body}`);
    assert.match(res.body, /body limit of 131072 bytes/, path);
    // The sandbox stopped reading: what the client got into the socket before the answer is a sliver of it.
    assert.ok(res.sentBytes < total / 10, `${path}: ${res.sentBytes} bytes were sent before the refusal`);
  }
  await stillAnswers();
});

test('bodies of the wrong type are refused naming the rule', async () => {
  const url = f.sandbox.url;
  // Test helpers and the e-port take JSON only.
  const textPlain = await plain(url, 'POST', '/sandbox/faults', '{}', { 'Content-Type': 'text/plain' });
  assert.equal(textPlain.status, 415, textPlain.text);
  assert.match(textPlain.json?.error ?? '', /Content-Type must be application\/json, not text\/plain/);
  const form = await plain(url, 'POST', '/eport/clearance', 'orderNo=1', { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(form.status, 415, form.text);
  const malformed = await plain(url, 'POST', '/eport/clearance', '{"orderNo":', { 'Content-Type': 'application/json' });
  assert.equal(malformed.status, 400, malformed.text);
  assert.match(malformed.json?.error ?? '', /the body is not JSON/);
  const wrongShape = await plain(url, 'POST', '/eport/clearance', '[1,2]', { 'Content-Type': 'application/json' });
  assert.equal(wrongShape.status, 400, wrongShape.text);
  assert.match(wrongShape.json?.error ?? '', /expected object/);

  // Alipay+ paths answer in Alipay+'s shape: the media type, the signature, then the JSON.
  const xml = await rawCall(url, { path: INQUIRY, body: '<a/>', headers: { 'Content-Type': 'application/xml' } });
  assertSignedResult(xml, INQUIRY, 'F', 'MEDIA_TYPE_NOT_ACCEPTABLE');
  const unsigned = await rawCall(url, { path: INQUIRY, body: '{"paymentRequestId":', unsigned: true });
  assert.equal(unsigned.body?.result.resultCode, 'INVALID_SIGNATURE');
  assert.match(unsigned.body?.result.resultMessage ?? '', /MISSING_SIGNATURE/);
  assert.equal(headerValue(unsigned.headers, 'Signature'), undefined);
  const notJson = await rawCall(url, { path: INQUIRY, body: '{"paymentRequestId":' });
  assert.match(assertSignedResult(notJson, INQUIRY, 'F', 'PARAM_ILLEGAL').result.resultMessage, /not JSON/);
  const wrongType = await rawCall(url, { path: INQUIRY, body: { paymentRequestId: 12345 } });
  assert.match(assertSignedResult(wrongType, INQUIRY, 'F', 'PARAM_ILLEGAL').result.resultMessage, /paymentRequestId/);
  await stillAnswers();
});

test('a path that is not valid percent-encoding is refused 400 naming the rule, on every kind of path', async () => {
  const url = f.sandbox.url;
  for (const path of [
    '/sandbox/payments/%ZZ/succeed',
    '/sandbox/refunds/%E0%A4%A/hold',
    '/cashier/%ZZ',
    '/v1/settlements/%ZZ/20260101/x.csv',
  ]) {
    const res = await plain(url, path.startsWith('/cashier') || path.startsWith('/v1') ? 'GET' : 'POST', path, '{}', {
      'Content-Type': 'application/json',
    });
    assert.equal(res.status, 400, `${path}: ${res.text}`);
    assert.match(res.json?.error ?? '', /not valid percent-encoding/, path);
  }
  const aps = await rawCall(url, { path: '/aps/api/v1/payments/%ZZ', body: { paymentRequestId: 'PAY-x' } });
  assert.equal(aps.status, 400, aps.rawBody);
  assert.equal(aps.body?.result.resultCode, 'PARAM_ILLEGAL');
  assert.match(aps.body?.result.resultMessage ?? '', /not valid percent-encoding/);
  assert.equal(verifyResponse(aps, '/aps/api/v1/payments/%ZZ').ok, true);
  await stillAnswers();
});

test('another method on a known path is 405 with Allow; unknown paths are 404 naming the route; Alipay+ keeps its codes', async () => {
  const url = f.sandbox.url;
  const del = await plain(url, 'DELETE', '/sandbox/reset');
  assert.equal(del.status, 405, del.text);
  assert.equal(del.headers.allow, 'POST');
  assert.match(del.json?.error ?? '', /DELETE is not allowed on \/sandbox\/reset; use POST/);
  const postClock = await plain(url, 'POST', '/sandbox/clock', '{}', { 'Content-Type': 'application/json' });
  assert.equal(postClock.status, 405, postClock.text);
  assert.equal(postClock.headers.allow, 'GET, HEAD');
  const getOrders = await plain(url, 'GET', '/eport/orders');
  assert.equal(getOrders.status, 405, getOrders.text);

  for (const [method, path] of [
    ['GET', '/nowhere'],
    ['POST', '/sandbox/payments//succeed'],
    ['GET', `/${'a'.repeat(5000)}`],
    ['PROPFIND', '/sandbox/ledger'],
    ['GET', '/v1/settlements/SANDBOX_MERCHANT/2026/transactionItems_2026_000.csv'],
  ]) {
    const res = await plain(url, method, path);
    assert.equal(res.status, 404, `${method} ${path.slice(0, 40)}: ${res.text.slice(0, 200)}`);
    assert.match(res.json?.error ?? '', /^no route /);
  }
  // The Alipay+ paths answer as Alipay+ does (test/protocol/signatures.test.ts has the rest).
  assertSignedResult(await rawCall(url, { path: INQUIRY, body: '', method: 'GET' }), INQUIRY, 'F', 'METHOD_NOT_SUPPORTED');
  await stillAnswers();
});

test('past the cap of requests in flight the sandbox answers 503 naming the cap; once they finish it answers again', async () => {
  const g = await startSandboxFixture({ limits: { maxInFlight: 2 } });
  const held = [rawConnection(g.sandbox.url), rawConnection(g.sandbox.url)];
  try {
    // Two requests whose bodies never finish arriving hold both places.
    for (const { socket } of held) {
      socket.write('POST /sandbox/faults HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    }
    let refused: Awaited<ReturnType<typeof plain>> | undefined;
    for (let i = 0; i < 200 && !refused; i += 1) {
      const res = await plain(g.sandbox.url, 'GET', '/sandbox/clock');
      if (res.status === 503) refused = res;
      else await sleep(10);
    }
    assert.ok(refused, 'no request was refused while two were held with a cap of two');
    assert.match(refused.json?.error ?? '', /cap of requests in flight/);
    assert.equal(refused.headers['retry-after'], '1');

    // On an Alipay+ path: Alipay+'s traffic-limit code, which the client takes as retryable.
    const aps = await rawCall(g.sandbox.url, { path: INQUIRY, body: { paymentRequestId: 'PAY-x' } });
    assert.equal(aps.status, 503, aps.rawBody);
    assert.deepEqual([aps.body?.result.resultStatus, aps.body?.result.resultCode], ['U', 'REQUEST_TRAFFIC_EXCEED_LIMIT']);
    await rejectsWith(g.client.inquiryPayment({ paymentRequestId: 'PAY-x' }), AlipayPlusRetryableError, 'HTTP_503');
  } finally {
    for (const { socket } of held) socket.destroy();
  }
  try {
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i += 1) {
      status = (await plain(g.sandbox.url, 'GET', '/sandbox/clock')).status;
      if (status !== 200) await sleep(10);
    }
    assert.equal(status, 200, 'the places of the closed requests were given back');
  } finally {
    await g.close();
  }
});

test('a request that is not received in time is answered 408 naming the timeout, and gives its place back', async () => {
  const g = await startSandboxFixture({
    limits: { maxInFlight: 1, headersTimeoutMs: 300, requestTimeoutMs: 600, timeoutCheckIntervalMs: 50 },
  });
  try {
    const slowBody = rawConnection(g.sandbox.url);
    slowBody.socket.write(
      'POST /sandbox/faults HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    const slowHeaders = rawConnection(g.sandbox.url);
    slowHeaders.socket.write('GET /sandbox/clock HTTP/1.1\r\nHost: sand');
    // If the sandbox never answers, these wait for the test runner's timeout: a failure, not a hang forever.
    for (const answer of [await slowBody.closed, await slowHeaders.closed]) {
      assert.match(answer, /^HTTP\/1\.1 408 /, answer);
      assert.match(answer, /not received in time/);
    }
    await stillAnswers(g.sandbox.url); // with a cap of one, the timed-out request no longer holds its place
  } finally {
    await g.close();
  }
});
