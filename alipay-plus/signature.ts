import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

// RSA256 message signatures, as Alipay+ specifies them:
//   content   = "POST <path>\n<Client-Id>.<Request-Time or Response-Time>.<raw body>"
//   signature = urlEncode(base64(SHA256withRSA(content)))
//   header    = "Signature: algorithm=RSA256,keyVersion=N,signature=<signature>"

export interface SignedParts {
  /** The request path, without host, for example `/aps/api/v1/customs/declare`. */
  path: string;
  clientId: string;
  /** The Request-Time or Response-Time header value, exactly as sent. */
  time: string;
  rawBody: string;
}

export function signatureContent({ path, clientId, time, rawBody }: SignedParts): string {
  return `POST ${path}\n${clientId}.${time}.${rawBody}`;
}

export type KeyInput = string | KeyObject;

const asPrivateKey = (key: KeyInput) => (typeof key === 'string' ? createPrivateKey(key) : key);
const asPublicKey = (key: KeyInput) => (typeof key === 'string' ? createPublicKey(key) : key);

/** The URL-encoded base64 signature of the parts. */
export function signParts(parts: SignedParts, privateKey: KeyInput): string {
  const raw = sign('sha256', Buffer.from(signatureContent(parts), 'utf8'), asPrivateKey(privateKey));
  return encodeURIComponent(raw.toString('base64'));
}

export function verifyParts(parts: SignedParts, urlEncodedSignature: string, publicKey: KeyInput): boolean {
  try {
    const raw = Buffer.from(decodeURIComponent(urlEncodedSignature), 'base64');
    return verify('sha256', Buffer.from(signatureContent(parts), 'utf8'), asPublicKey(publicKey), raw);
  } catch {
    return false;
  }
}

export interface SignatureHeader {
  algorithm: string;
  keyVersion: string;
  signature: string;
}

export function formatSignatureHeader(keyVersion: number | string, signature: string): string {
  return `algorithm=RSA256,keyVersion=${keyVersion},signature=${signature}`;
}

/** Parses `algorithm=RSA256,keyVersion=1,signature=...`; null when a part is missing. */
export function parseSignatureHeader(header: string | undefined): SignatureHeader | null {
  if (!header) return null;
  const fields = new Map<string, string>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const algorithm = fields.get('algorithm');
  const keyVersion = fields.get('keyversion');
  const signature = fields.get('signature');
  if (!algorithm || !keyVersion || !signature) return null;
  return { algorithm, keyVersion, signature };
}

export type HeaderBag = Record<string, string | string[] | undefined>;

/** Case-insensitive header lookup, since header names are case-insensitive on the wire. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export interface SignedHeaderOptions {
  path: string;
  clientId: string;
  rawBody: string;
  privateKey: KeyInput;
  keyVersion: number | string;
  /** Request-Time for a request, Response-Time for a response. */
  timeHeader: 'Request-Time' | 'Response-Time';
  time: string;
}

/** The headers that carry a signed message: Client-Id, the time header and Signature. */
export function signedHeaders(o: SignedHeaderOptions): Record<string, string> {
  const signature = signParts({ path: o.path, clientId: o.clientId, time: o.time, rawBody: o.rawBody }, o.privateKey);
  return {
    'Content-Type': 'application/json; charset=UTF-8',
    'Client-Id': o.clientId,
    [o.timeHeader]: o.time,
    Signature: formatSignatureHeader(o.keyVersion, signature),
  };
}

export type SignatureCheck =
  | { ok: true; clientId: string; keyVersion: string }
  | { ok: false; reason: 'MISSING_CLIENT_ID' | 'MISSING_TIME' | 'MISSING_SIGNATURE' | 'BAD_ALGORITHM' | 'BAD_SIGNATURE' };

/** Verifies a signed message from its headers, its path and its raw body. */
export function verifySignedHeaders(o: {
  path: string;
  headers: HeaderBag;
  rawBody: string;
  publicKey: KeyInput;
  timeHeader: 'Request-Time' | 'Response-Time';
}): SignatureCheck {
  const clientId = headerValue(o.headers, 'Client-Id');
  if (!clientId) return { ok: false, reason: 'MISSING_CLIENT_ID' };
  const time = headerValue(o.headers, o.timeHeader);
  if (!time) return { ok: false, reason: 'MISSING_TIME' };
  const header = parseSignatureHeader(headerValue(o.headers, 'Signature'));
  if (!header) return { ok: false, reason: 'MISSING_SIGNATURE' };
  if (header.algorithm.toUpperCase() !== 'RSA256') return { ok: false, reason: 'BAD_ALGORITHM' };
  const ok = verifyParts({ path: o.path, clientId, time, rawBody: o.rawBody }, header.signature, o.publicKey);
  return ok ? { ok: true, clientId, keyVersion: header.keyVersion } : { ok: false, reason: 'BAD_SIGNATURE' };
}
