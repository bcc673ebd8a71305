import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import axios from 'axios';
import { AlipayPlusError, signedHeaders, verifySignedHeaders, type HeaderBag, type KeyInput, type SignatureCheck } from '../../alipay-plus';
import { CLIENT_ID, testKeys } from './sandbox';

// Raw HTTP against the sandbox, for what the client would never send; small local servers; assertions.

/** An Alipay+ answer as it came over the wire: its result, and whatever else the API returns. */
export interface WireAnswer {
  result: { resultStatus: string; resultCode: string; resultMessage: string };
  [field: string]: unknown;
}

export interface RawResponse {
  status: number;
  headers: HeaderBag;
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: WireAnswer | undefined;
}

export interface RawRequest {
  path: string;
  body: unknown;
  method?: 'POST' | 'GET';
  clientId?: string;
  privateKey?: KeyInput;
  keyVersion?: number | string;
  /** The Request-Time value, ISO-8601 by default. */
  time?: string;
  /** Changes the raw body after it was signed. */
  tamper?: (rawBody: string) => string;
  /** Headers to add or override after signing, e.g. Content-Type. */
  headers?: Record<string, string>;
  /** Leave the Signature header out. */
  unsigned?: boolean;
}

/** Sends a request signed with the merchant key (unless told otherwise) and returns the raw answer. */
export async function rawCall(baseUrl: string, r: RawRequest): Promise<RawResponse> {
  const signedBody = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const headers: Record<string, string> = signedHeaders({
    path: r.path,
    clientId: r.clientId ?? CLIENT_ID,
    rawBody: signedBody,
    privateKey: r.privateKey ?? testKeys().merchantPrivateKey,
    keyVersion: r.keyVersion ?? 1,
    timeHeader: 'Request-Time',
    time: r.time ?? new Date().toISOString(),
  });
  if (r.unsigned) delete headers.Signature;
  Object.assign(headers, r.headers ?? {});
  const sent = r.tamper ? r.tamper(signedBody) : signedBody;
  const res = await axios.request<string>({
    method: r.method ?? 'POST',
    url: baseUrl + r.path,
    data: r.method === 'GET' ? undefined : sent,
    headers,
    responseType: 'text',
    transformRequest: [(d: unknown) => d],
    transformResponse: [(d: unknown) => d],
    validateStatus: () => true,
  });
  const rawBody = String(res.data ?? '');
  let body: WireAnswer | undefined;
  try {
    body = JSON.parse(rawBody) as WireAnswer;
  } catch {
    body = undefined;
  }
  const plainHeaders = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, v == null ? undefined : String(v)]));
  return { status: res.status, headers: plainHeaders, rawBody, body };
}

/** Verifies a response's signature with Alipay+'s public key, over the path that was called. */
export function verifyResponse(res: RawResponse, path: string, publicKey: KeyInput = testKeys().alipayPlusPublicKey): SignatureCheck {
  return verifySignedHeaders({ path, headers: res.headers, rawBody: res.rawBody, publicKey, timeHeader: 'Response-Time' });
}

/** Asserts the answer is a signed result with this status and code, and returns it. */
export function assertSignedResult(
  res: RawResponse,
  path: string,
  resultStatus: 'S' | 'F' | 'U',
  resultCode: string,
  clientId = CLIENT_ID,
): WireAnswer {
  assert.equal(res.status, 200);
  assert.ok(res.body, `the answer to ${path} is not JSON: ${res.rawBody}`);
  assert.equal(res.body.result?.resultStatus, resultStatus, res.rawBody);
  assert.equal(res.body?.result?.resultCode, resultCode, res.rawBody);
  const check = verifyResponse(res, path);
  assert.deepEqual(check, { ok: true, clientId, keyVersion: '1' }, `response to ${path} is not validly signed: ${res.rawBody}`);
  return res.body;
}

/** A fresh RSA key pair that nobody trusts. */
export function strangerKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface LocalServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export type RawHandler = (req: IncomingMessage, rawBody: string, res: ServerResponse) => void | Promise<void>;

/** A node:http server on 127.0.0.1, on a free port. */
export async function startLocalServer(handler: RawHandler): Promise<LocalServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handler(req, Buffer.concat(chunks).toString('utf8'), res)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 where nothing listens. */
export async function closedPort(): Promise<number> {
  const s = await startLocalServer((_req, _body, res) => void res.end());
  await s.close();
  return s.port;
}

type ErrorClass<E> = abstract new (...args: never[]) => E;

/** Awaits a promise that must reject with this AlipayPlusError class and result code; returns the error. */
export async function rejectsWith<E extends AlipayPlusError>(
  promise: Promise<unknown>,
  cls: ErrorClass<E>,
  resultCode: string,
): Promise<E> {
  let caught: unknown;
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `expected ${cls.name} ${resultCode}, but it resolved with ${JSON.stringify(value)}`);
  assert.ok(caught instanceof cls, `expected ${cls.name} ${resultCode}, got ${inspect(caught)}`);
  assert.equal(caught.resultCode, resultCode, String(caught));
  return caught;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
