import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DefaultPayloadConverter, METADATA_ENCODING_KEY } from '@temporalio/common';
import { AesGcmCodec, ENCODING, KEY_ID_METADATA, newKeySpec, parseKeyring } from '../../platform/aes-gcm-codec';
import { startCodecServer } from '../../codec-server/server';

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

describe('codec server', () => {
  const keyring = parseKeyring(newKeySpec('k1'));
  const codec = new AesGcmCodec(keyring);
  let server: { url: string; close(): Promise<void> };
  before(
    async () => (server = await startCodecServer({ codec, token: 'secret-token-123', allowedOrigins: ['http://127.0.0.1:8233'], port: 0 })),
  );
  after(() => server.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const asJson = (p: { metadata?: Record<string, Uint8Array | null> | null; data?: Uint8Array | null }) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  });

  test('decodes an encrypted payload for a caller with the token', async () => {
    const [enc] = await codec.encode([converter.toPayload(buyer)]);
    const res = await post(
      '/decode',
      { payloads: [asJson(enc)] },
      { authorization: 'Bearer secret-token-123', origin: 'http://127.0.0.1:8233' },
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8233');
    const body = (await res.json()) as { payloads: { data: string }[] };
    assert.deepEqual(JSON.parse(Buffer.from(body.payloads[0].data, 'base64').toString()), buyer);
  });

  test('refuses a caller without the token, or with a wrong one', async () => {
    const [enc] = await codec.encode([converter.toPayload(buyer)]);
    const none = await post('/decode', { payloads: [asJson(enc)] });
    assert.equal(none.status, 401);
    assert.ok(!(await none.text()).includes(buyer.certificateNo));
    const wrong = await post('/decode', { payloads: [asJson(enc)] }, { authorization: 'Bearer secret-token-124' });
    assert.equal(wrong.status, 401);
  });

  test('takes the token as a path prefix too, as the Web UI codec endpoint carries it', async () => {
    const [enc] = await codec.encode([converter.toPayload(buyer)]);
    const ok = await post('/t/secret-token-123/decode', { payloads: [asJson(enc)] });
    assert.equal(ok.status, 200);
    const bad = await post('/t/secret-token-999/decode', { payloads: [asJson(enc)] });
    assert.equal(bad.status, 401);
  });

  test('answers CORS preflight for the UI origin only', async () => {
    const ok = await fetch(server.url + '/decode', { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:8233' } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8233');
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const other = await fetch(server.url + '/decode', { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});
