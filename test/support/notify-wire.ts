import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { notifyPaymentAck, notifyPaymentRequest, signedHeaders, verifySignedHeaders, type KeyInput, type Result } from '../../alipay-plus';

// The notify receiver as Alipay+ (or an attacker) reaches it: signed notifications, raw HTTP, huge bodies.
// Every answer must be the merchant-signed `{result: {...}}`, whatever was refused.

export interface ReceiverAnswer {
  status: number;
  result: Result;
}

/** Checks that an answer is the merchant-signed Alipay+ result, and returns it. */
export function signedAnswer(
  o: { path: string; merchantPublicKey: KeyInput },
  status: number,
  headers: Record<string, string | string[] | undefined>,
  rawAck: string,
): ReceiverAnswer {
  const check = verifySignedHeaders({
    path: o.path,
    headers,
    rawBody: rawAck,
    publicKey: o.merchantPublicKey,
    timeHeader: 'Response-Time',
  });
  assert.ok(check.ok, `the answer is not signed by the merchant key (${check.ok ? '' : check.reason}): HTTP ${status} ${rawAck}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawAck);
  } catch {
    assert.fail(`the answer is not JSON: HTTP ${status} ${rawAck}`);
  }
  const ack = notifyPaymentAck.safeParse(parsed);
  assert.ok(ack.success, `not Alipay+'s {result} shape: HTTP ${status} ${rawAck}`);
  return { status, result: ack.data.result };
}

export interface PostOptions {
  url: string;
  merchantPublicKey: KeyInput;
  /** Signs the body as Alipay+ would; unsigned when absent. */
  alipayPlusPrivateKey?: KeyInput;
  clientId?: string;
  /** The Request-Time to sign, now by default. */
  time?: string;
  method?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** The path the receiver signs its answers with (its own), when the request goes elsewhere. */
  answerPath?: string;
}

/** Sends a notification (signed when a key is given) and returns the receiver's signed answer. */
export async function postNotification(body: unknown, o: PostOptions): Promise<ReceiverAnswer> {
  const path = new URL(o.url).pathname;
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  const signed = o.alipayPlusPrivateKey
    ? signedHeaders({
        path,
        clientId: o.clientId ?? 'SANDBOX_MERCHANT',
        rawBody,
        privateKey: o.alipayPlusPrivateKey,
        keyVersion: 1,
        timeHeader: 'Request-Time',
        time: o.time ?? new Date().toISOString(),
      })
    : { 'Content-Type': 'application/json; charset=UTF-8' };
  const method = o.method ?? 'POST';
  const res = await fetch(o.url, {
    method,
    headers: { ...signed, ...o.headers },
    body: method === 'GET' || method === 'HEAD' ? undefined : rawBody,
    signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
  });
  return signedAnswer(
    { path: o.answerPath ?? path, merchantPublicKey: o.merchantPublicKey },
    res.status,
    Object.fromEntries(res.headers),
    await res.text(),
  );
}

/** Writes raw bytes on a fresh connection and returns what came back until the server closed it. */
export function rawExchange(url: string, bytes: string, timeoutMs = 30_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let got = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms: ${got}`)));
    socket.on('data', (d) => (got += String(d)));
    socket.on('close', () => resolve(got));
    socket.on('error', (e) => (got ? resolve(got) : reject(e)));
  });
}

/** Splits a raw HTTP/1.1 response into status, headers and body. */
export function parseRawResponse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `not an HTTP response: ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(end + 4) };
}

export interface StreamedPost {
  status: number;
  rawAck: string;
  headers: Record<string, string | string[] | undefined>;
  /** Body bytes handed to the socket when the answer came (or the connection ended). */
  sentBytes: number;
  /** The highest rise of this process's rss and heap over their values before the request, in bytes. */
  peakRssGrowth: number;
  peakHeapGrowth: number;
}

/**
 * POSTs `totalBytes` of body, 64 KiB at a time (one buffer, reused), as fast as the socket takes them,
 * and stops sending as soon as an answer arrives. Samples this process's memory after every chunk.
 */
export function streamedPost(url: string, totalBytes: number, o: { declareLength: boolean }): Promise<StreamedPost> {
  const { hostname, port, pathname } = new URL(url);
  const chunk = Buffer.alloc(64 * 1024, 'Z');
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const req = request({
      host: hostname,
      port,
      path: pathname,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(o.declareLength && { 'Content-Length': String(totalBytes) }) },
    });
    req.on('response', (res) => {
      answered = true;
      const sentWhenAnswered = sentBytes;
      let rawAck = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (rawAck += d));
      res.on('end', () => {
        sample();
        resolve({
          status: res.statusCode ?? 0,
          rawAck,
          headers: res.headers,
          sentBytes: sentWhenAnswered,
          peakRssGrowth: peakRss - before.rss,
          peakHeapGrowth: peakHeap - before.heapUsed,
        });
        req.destroy();
      });
    });
    // The receiver may close the connection while the body is still being sent: the answer came first.
    req.on('error', (e) => (answered ? undefined : reject(e)));
    const pump = () => {
      while (!answered && sentBytes < totalBytes) {
        sentBytes += chunk.length;
        sample();
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** A notifyPayment of a successful payment, as Alipay+ sends it; it passes the protocol's schema. */
export function successNotification(p: { paymentRequestId: string; paymentId: string; fen: number }) {
  const now = new Date().toISOString();
  const body = {
    notifyType: 'PAYMENT_RESULT',
    result: { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' },
    paymentRequestId: p.paymentRequestId,
    paymentId: p.paymentId,
    paymentAmount: { currency: 'CNY', value: String(p.fen) },
    paymentCreateTime: now,
    paymentTime: now,
    customsDeclarationAmount: { currency: 'CNY', value: String(p.fen) },
    settlementQuote: { quoteId: 'Q000000000001', quoteCurrencyPair: 'USD/CNY', quotePrice: '7.1000' },
  };
  const parsed = notifyPaymentRequest.safeParse(body);
  assert.ok(parsed.success, `the test's notification must pass the notifyPayment schema: ${JSON.stringify(parsed.error?.issues)}`);
  return body;
}
