import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DefaultPayloadConverter, METADATA_ENCODING_KEY } from '@temporalio/common';
import { AesGcmCodec, ENCODING, KEY_ID_METADATA, newKeySpec, parseKeyring } from '../../platform/aes-gcm-codec';

const converter = new DefaultPayloadConverter();
const buyer = { fullName: '张三', certificateNo: '110105194912310021' };
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('latin1');

describe('AES-GCM payload codec', () => {
  const k1 = newKeySpec('k1');
  const k2 = newKeySpec('k2');

  test('round trip; the ciphertext holds no plaintext and names its key', async () => {
    const codec = new AesGcmCodec(parseKeyring(k1));
    const plain = converter.toPayload(buyer);
    const [enc] = await codec.encode([plain]);
    assert.equal(Buffer.from(enc.metadata![METADATA_ENCODING_KEY]).toString(), ENCODING);
    assert.equal(Buffer.from(enc.metadata![KEY_ID_METADATA]).toString(), 'k1');
    assert.ok(!text(enc.data).includes(buyer.certificateNo));
    assert.ok(!Buffer.from(enc.data!).includes(Buffer.from(buyer.fullName)));
    const [dec] = await codec.decode([enc]);
    assert.deepEqual(converter.fromPayload(dec), buyer);
  });

  test('after a rotation, payloads encrypted with the old key still decrypt; new ones use the new key', async () => {
    const [old] = await new AesGcmCodec(parseKeyring(k1)).encode([converter.toPayload(buyer)]);
    const rotated = new AesGcmCodec(parseKeyring(`${k2},${k1}`));
    assert.deepEqual(converter.fromPayload((await rotated.decode([old]))[0]), buyer);
    const [fresh] = await rotated.encode([converter.toPayload(buyer)]);
    assert.equal(Buffer.from(fresh.metadata![KEY_ID_METADATA]).toString(), 'k2');
  });

  test('a key that is not in the keyring, or a changed byte, fails to decrypt', async () => {
    const [enc] = await new AesGcmCodec(parseKeyring(k1)).encode([converter.toPayload(buyer)]);
    await assert.rejects(new AesGcmCodec(parseKeyring(k2)).decode([enc]), /key k1, which is not in the keyring/);
    const tampered = { ...enc, data: Buffer.from(enc.data!) };
    tampered.data[20] ^= 1;
    await assert.rejects(new AesGcmCodec(parseKeyring(k1)).decode([tampered]));
  });

  test('payloads that are not encrypted pass through decode unchanged', async () => {
    const plain = converter.toPayload('hello');
    assert.deepEqual(await new AesGcmCodec(parseKeyring(k1)).decode([plain]), [plain]);
  });

  test('the keyring refuses keys that are not 32 bytes and malformed entries', () => {
    assert.throws(() => parseKeyring('k1:' + Buffer.alloc(16).toString('base64')), /32 bytes/);
    assert.throws(() => parseKeyring('nocolon'), /id:base64key/);
    assert.throws(() => parseKeyring(' '), /empty/);
  });
});
