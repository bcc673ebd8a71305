import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

// AES-256-GCM over every payload, so the buyer's name, ID number and the payer's identity reach
// Temporal's histories only encrypted. The key id travels in the metadata; old keys stay in the
// keyring after a rotation, so old histories still decrypt.

export const ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Keyring {
  /** The key new payloads are encrypted with. */
  currentKeyId: string;
  keys: Map<string, Buffer>;
}

/** Reads `id:base64key[,id:base64key...]` (or one per line), the first key being current. Each key is 32 bytes (AES-256). */
export function parseKeyring(spec: string): Keyring {
  const keys = new Map<string, Buffer>();
  let currentKeyId: string | undefined;
  for (const entry of spec
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon).trim();
    const key = Buffer.from(entry.slice(colon + 1).trim(), 'base64');
    if (colon <= 0 || !/^[\w.-]{1,64}$/.test(id)) throw new Error(`payload key entry "${id || entry.slice(0, 8)}..." must be id:base64key`);
    if (key.length !== 32) throw new Error(`payload key ${id} must be 32 bytes of base64 (AES-256), not ${key.length}`);
    keys.set(id, key);
    currentKeyId ??= id;
  }
  if (!currentKeyId) throw new Error('the payload keyring is empty');
  return { currentKeyId, keys };
}

export function newKeySpec(id = `k${Date.now()}`) {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  // The crypto is synchronous; the promise rejects rather than throws when a payload is bad.
  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.encodeOne(payload))));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decodeOne(payload))));
  }

  private encodeOne(payload: Payload): Payload {
    const keyId = this.keyring.currentKeyId;
    const key = this.keyring.keys.get(keyId)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCODING), [KEY_ID_METADATA]: encoder.encode(keyId) },
      data,
    };
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || decoder.decode(encoding) !== ENCODING) return payload;
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!keyIdBytes) throw new Error('encrypted payload without a key id');
    const keyId = decoder.decode(keyIdBytes);
    const key = this.keyring.keys.get(keyId);
    if (!key) throw new Error(`payload was encrypted with key ${keyId}, which is not in the keyring`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    return temporal.api.common.v1.Payload.decode(plain);
  }
}
