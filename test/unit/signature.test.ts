import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatSignatureHeader,
  headerValue,
  parseSignatureHeader,
  signatureContent,
  signedHeaders,
  signParts,
  verifyParts,
  verifySignedHeaders,
  type HeaderBag,
  type SignedParts,
} from '../../alipay-plus/signature';

// Two independent key pairs: the merchant's and an impostor's.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

const DECLARE_PATH = '/aps/api/v1/customs/declare';

// 40 characters exactly, so the byte-flip loop below covers a known number of positions.
const BODY_40 = '{"paymentRequestId":"PAY-2026-0001-abc"}';

const baseParts: SignedParts = {
  path: DECLARE_PATH,
  clientId: 'SANDBOX_MERCHANT',
  time: '2026-11-21T10:00:00.000Z',
  rawBody: BODY_40,
};

/** Replaces the character at index i with a different printable character. */
function flipChar(s: string, i: number): string {
  const replacement = String.fromCharCode(s.charCodeAt(i) ^ 0x01);
  assert.notEqual(replacement, s[i]);
  return s.slice(0, i) + replacement + s.slice(i + 1);
}

describe('signParts / verifyParts round trip', () => {
  test('a signature made with the private key verifies with the matching public key', () => {
    const sig = signParts(baseParts, privateKey);
    assert.equal(verifyParts(baseParts, sig, publicKey), true);
  });

  test('PEM strings work as well as KeyObjects, and give the same signature', () => {
    const fromObject = signParts(baseParts, privateKey);
    const fromPem = signParts(baseParts, privatePem);
    assert.equal(fromPem, fromObject);
    assert.equal(verifyParts(baseParts, fromPem, publicPem), true);
  });

  test('signatureContent follows "POST <path>\\n<Client-Id>.<time>.<raw body>"', () => {
    assert.equal(signatureContent({ path: '/p', clientId: 'C', time: '123', rawBody: '{"x":"y"}' }), 'POST /p\nC.123.{"x":"y"}');
  });
});

describe('independent signature vector', () => {
  const vectorParts: SignedParts = {
    path: '/aps/api/v1/customs/declare',
    clientId: 'SANDBOX_MERCHANT',
    time: '2026-11-21T10:00:00.000Z',
    rawBody: '{"a":"1"}',
  };
  const literalContent = 'POST /aps/api/v1/customs/declare\nSANDBOX_MERCHANT.2026-11-21T10:00:00.000Z.{"a":"1"}';

  function expectedSignature(content: string): { base64: string; encoded: string } {
    const signer = createSign('RSA-SHA256');
    signer.update(content, 'utf8');
    const base64 = signer.sign(privateKey).toString('base64');
    return { base64, encoded: encodeURIComponent(base64) };
  }

  test('signatureContent is exactly the literal content string', () => {
    assert.equal(signatureContent(vectorParts), literalContent);
  });

  test('signParts equals urlEncode(base64(SHA256withRSA(content))) computed independently', () => {
    const { base64, encoded } = expectedSignature(literalContent);
    const actual = signParts(vectorParts, privateKey);
    assert.equal(actual, encoded);
    // And the independently computed signature verifies under node's own verifier.
    const verifier = createVerify('RSA-SHA256');
    verifier.update(literalContent, 'utf8');
    assert.equal(verifier.verify(publicKey, Buffer.from(base64, 'base64')), true);
  });

  test('the signature value is URL-encoded: no raw +, / or =, and each one is percent-encoded', () => {
    const { base64 } = expectedSignature(literalContent);
    const actual = signParts(vectorParts, privateKey);
    assert.doesNotMatch(actual, /[+/=]/);
    // A 2048-bit signature is 256 bytes, so its base64 always ends with "==".
    assert.ok(base64.endsWith('=='), `base64 of a 256-byte signature should end with ==: ${base64}`);
    assert.ok(actual.endsWith('%3D%3D'), `padding must be encoded as %3D%3D: ${actual}`);
    const count = (s: string, sub: string) => s.split(sub).length - 1;
    assert.equal(count(actual, '%2B'), count(base64, '+'));
    assert.equal(count(actual, '%2F'), count(base64, '/'));
    assert.equal(count(actual, '%3D'), count(base64, '='));
    assert.equal(decodeURIComponent(actual), base64);
  });

  test('+ and / in base64 are encoded as %2B and %2F (found on a body whose signature has both)', () => {
    let found = false;
    for (let n = 0; n < 50 && !found; n++) {
      const parts = { ...vectorParts, rawBody: `{"a":"${n}"}` };
      const { base64, encoded } = expectedSignature(signatureContent(parts));
      if (!base64.includes('+') || !base64.includes('/')) continue;
      found = true;
      const actual = signParts(parts, privateKey);
      assert.equal(actual, encoded);
      assert.ok(actual.includes('%2B'));
      assert.ok(actual.includes('%2F'));
      assert.doesNotMatch(actual, /[+/=]/);
    }
    assert.ok(found, 'no signature among 50 bodies contained both + and /');
  });
});

describe('tampering makes verification fail', () => {
  const sig = signParts(baseParts, privateKey);

  test('the body used for the flip loop is 40 characters', () => {
    assert.equal(BODY_40.length, 40);
  });

  test('changing the path fails', () => {
    assert.equal(verifyParts({ ...baseParts, path: '/aps/api/v1/customs/declarE' }, sig, publicKey), false);
    assert.equal(verifyParts({ ...baseParts, path: '/aps/api/v1/payments/pay' }, sig, publicKey), false);
    // A host in the path is not the same content.
    assert.equal(verifyParts({ ...baseParts, path: `https://example.com${DECLARE_PATH}` }, sig, publicKey), false);
  });

  test('changing the client id fails', () => {
    assert.equal(verifyParts({ ...baseParts, clientId: 'SANDBOX_MERCHANU' }, sig, publicKey), false);
    assert.equal(verifyParts({ ...baseParts, clientId: 'OTHER' }, sig, publicKey), false);
  });

  test('changing the time fails', () => {
    assert.equal(verifyParts({ ...baseParts, time: '2026-11-21T10:00:00.001Z' }, sig, publicKey), false);
    assert.equal(verifyParts({ ...baseParts, time: String(Date.parse(baseParts.time)) }, sig, publicKey), false);
  });

  test('changing ANY single character of the body fails', () => {
    for (let i = 0; i < BODY_40.length; i++) {
      const tampered = flipChar(BODY_40, i);
      assert.notEqual(tampered, BODY_40);
      assert.equal(verifyParts({ ...baseParts, rawBody: tampered }, sig, publicKey), false, `flip at index ${i} verified`);
    }
  });

  test('adding or removing a byte of the body fails', () => {
    assert.equal(verifyParts({ ...baseParts, rawBody: BODY_40 + '\n' }, sig, publicKey), false);
    assert.equal(verifyParts({ ...baseParts, rawBody: BODY_40.slice(0, -1) }, sig, publicKey), false);
  });

  test('the unchanged parts still verify (control for the cases above)', () => {
    assert.equal(verifyParts({ ...baseParts }, sig, publicKey), true);
  });
});

describe('wrong keys and garbage signatures', () => {
  const sig = signParts(baseParts, privateKey);

  test('a signature made with another private key fails', () => {
    const forged = signParts(baseParts, other.privateKey);
    assert.notEqual(forged, sig);
    assert.equal(verifyParts(baseParts, forged, publicKey), false);
  });

  test('a genuine signature checked against another public key fails', () => {
    assert.equal(verifyParts(baseParts, sig, other.publicKey), false);
  });

  test('garbage signature values return false and never throw', () => {
    const garbage = [
      '',
      'abc',
      'not base64 at all!!',
      '%E0%A4%A', // malformed percent-encoding: decodeURIComponent throws on it
      '%%%',
      'A'.repeat(344),
      sig.slice(0, 100),
      'AAAA' + sig, // shifts every decoded byte
      flipChar(sig, 10),
    ];
    for (const g of garbage) {
      let result: boolean | undefined;
      assert.doesNotThrow(
        () => {
          result = verifyParts(baseParts, g, publicKey);
        },
        `threw on ${JSON.stringify(g)}`,
      );
      assert.equal(result, false, `accepted ${JSON.stringify(g)}`);
    }
  });
});

describe('Signature header format', () => {
  test('formatSignatureHeader is exactly algorithm=RSA256,keyVersion=N,signature=V', () => {
    assert.equal(formatSignatureHeader(1, 'abc'), 'algorithm=RSA256,keyVersion=1,signature=abc');
    assert.equal(formatSignatureHeader('2', 'x%3D'), 'algorithm=RSA256,keyVersion=2,signature=x%3D');
  });

  test('parseSignatureHeader parses the formatted header', () => {
    assert.deepEqual(parseSignatureHeader('algorithm=RSA256,keyVersion=1,signature=abc'), {
      algorithm: 'RSA256',
      keyVersion: '1',
      signature: 'abc',
    });
  });

  test('parseSignatureHeader tolerates another key order and spaces', () => {
    assert.deepEqual(parseSignatureHeader(' signature=abc%3D%3D , keyVersion = 7,  algorithm=RSA256 '), {
      algorithm: 'RSA256',
      keyVersion: '7',
      signature: 'abc%3D%3D',
    });
  });

  test('parseSignatureHeader keeps "=" inside a value (an unencoded base64 padding)', () => {
    assert.equal(parseSignatureHeader('algorithm=RSA256,keyVersion=1,signature=ab==')?.signature, 'ab==');
  });

  test('parseSignatureHeader returns null when a part is missing or empty', () => {
    assert.equal(parseSignatureHeader('keyVersion=1,signature=abc'), null);
    assert.equal(parseSignatureHeader('algorithm=RSA256,signature=abc'), null);
    assert.equal(parseSignatureHeader('algorithm=RSA256,keyVersion=1'), null);
    assert.equal(parseSignatureHeader('algorithm=RSA256,keyVersion=1,signature='), null);
    assert.equal(parseSignatureHeader(''), null);
    assert.equal(parseSignatureHeader(undefined), null);
    assert.equal(parseSignatureHeader('garbage'), null);
  });

  test('headerValue is case-insensitive and takes the first of repeated values', () => {
    const headers: HeaderBag = { 'client-id': 'C1', 'REQUEST-TIME': '123', Signature: ['first', 'second'], Empty: undefined };
    assert.equal(headerValue(headers, 'Client-Id'), 'C1');
    assert.equal(headerValue(headers, 'CLIENT-ID'), 'C1');
    assert.equal(headerValue(headers, 'request-time'), '123');
    assert.equal(headerValue(headers, 'signature'), 'first');
    assert.equal(headerValue(headers, 'Response-Time'), undefined);
    assert.equal(headerValue(headers, 'empty'), undefined);
  });
});

describe('signedHeaders / verifySignedHeaders', () => {
  const rawBody = '{"paymentRequestId":"PAY-1","isSplit":"false"}';
  const common = { path: DECLARE_PATH, clientId: 'SANDBOX_MERCHANT', rawBody, privateKey, keyVersion: 1 };

  for (const timeHeader of ['Request-Time', 'Response-Time'] as const) {
    test(`round trip with ${timeHeader}`, () => {
      const time = timeHeader === 'Request-Time' ? '1763719200000' : '2026-11-21T10:00:00.000Z';
      const headers = signedHeaders({ ...common, timeHeader, time });
      assert.deepEqual(Object.keys(headers).sort(), ['Client-Id', 'Content-Type', 'Signature', timeHeader].sort());
      assert.equal(headers['Client-Id'], 'SANDBOX_MERCHANT');
      assert.equal(headers[timeHeader], time);
      assert.match(headers['Signature'], /^algorithm=RSA256,keyVersion=1,signature=[A-Za-z0-9%]+$/);
      // The Signature header carries exactly what signParts computes.
      const expected = signParts({ path: DECLARE_PATH, clientId: 'SANDBOX_MERCHANT', time, rawBody }, privateKey);
      assert.equal(headers['Signature'], `algorithm=RSA256,keyVersion=1,signature=${expected}`);

      const check = verifySignedHeaders({ path: DECLARE_PATH, headers, rawBody, publicKey, timeHeader });
      assert.deepEqual(check, { ok: true, clientId: 'SANDBOX_MERCHANT', keyVersion: '1' });
    });
  }

  test('header names are matched case-insensitively when verifying', () => {
    const headers = signedHeaders({ ...common, timeHeader: 'Response-Time', time: '2026-11-21T10:00:00Z' });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    assert.deepEqual(verifySignedHeaders({ path: DECLARE_PATH, headers: lower, rawBody, publicKey, timeHeader: 'Response-Time' }), {
      ok: true,
      clientId: 'SANDBOX_MERCHANT',
      keyVersion: '1',
    });
  });

  test('keyVersion is reported as sent', () => {
    const headers = signedHeaders({ ...common, keyVersion: 3, timeHeader: 'Request-Time', time: '1' });
    const check = verifySignedHeaders({ path: DECLARE_PATH, headers, rawBody, publicKey, timeHeader: 'Request-Time' });
    assert.deepEqual(check, { ok: true, clientId: 'SANDBOX_MERCHANT', keyVersion: '3' });
  });

  const signed = () => signedHeaders({ ...common, timeHeader: 'Request-Time', time: '1763719200000' });
  const verify = (headers: HeaderBag, body = rawBody, key = publicKey) =>
    verifySignedHeaders({ path: DECLARE_PATH, headers, rawBody: body, publicKey: key, timeHeader: 'Request-Time' });

  test('MISSING_SIGNATURE when there is no Signature header or it lacks a part', () => {
    const { Signature: _omit, ...noSignature } = signed();
    void _omit;
    assert.deepEqual(verify(noSignature), { ok: false, reason: 'MISSING_SIGNATURE' });
    assert.deepEqual(verify({ ...noSignature, Signature: 'algorithm=RSA256,keyVersion=1' }), { ok: false, reason: 'MISSING_SIGNATURE' });
    assert.deepEqual(verify({ ...noSignature, Signature: '' }), { ok: false, reason: 'MISSING_SIGNATURE' });
  });

  test('BAD_SIGNATURE when the body, the client id, the time or the key does not match', () => {
    const headers = signed();
    assert.deepEqual(verify(headers, rawBody.replace('PAY-1', 'PAY-2')), { ok: false, reason: 'BAD_SIGNATURE' });
    assert.deepEqual(verify({ ...headers, 'Client-Id': 'SOMEONE_ELSE' }), { ok: false, reason: 'BAD_SIGNATURE' });
    assert.deepEqual(verify({ ...headers, 'Request-Time': '1763719200001' }), { ok: false, reason: 'BAD_SIGNATURE' });
    assert.deepEqual(verify(headers, rawBody, other.publicKey), { ok: false, reason: 'BAD_SIGNATURE' });
    assert.deepEqual(verify({ ...headers, Signature: formatSignatureHeader(1, 'garbage') }), { ok: false, reason: 'BAD_SIGNATURE' });
    // Control: the untouched headers verify.
    assert.equal(verify(headers).ok, true);
  });

  test('BAD_ALGORITHM when the algorithm is not RSA256', () => {
    const headers = signed();
    const sig = parseSignatureHeader(headers['Signature'])!.signature;
    assert.deepEqual(verify({ ...headers, Signature: `algorithm=RSA1,keyVersion=1,signature=${sig}` }), {
      ok: false,
      reason: 'BAD_ALGORITHM',
    });
    assert.deepEqual(verify({ ...headers, Signature: `algorithm=HS256,keyVersion=1,signature=${sig}` }), {
      ok: false,
      reason: 'BAD_ALGORITHM',
    });
  });

  test('MISSING_CLIENT_ID when Client-Id is absent or empty', () => {
    const { 'Client-Id': _omit, ...noClient } = signed();
    void _omit;
    assert.deepEqual(verify(noClient), { ok: false, reason: 'MISSING_CLIENT_ID' });
    assert.deepEqual(verify({ ...noClient, 'Client-Id': '' }), { ok: false, reason: 'MISSING_CLIENT_ID' });
  });

  test('MISSING_TIME when the expected time header is absent (Request-Time sent, Response-Time expected)', () => {
    const headers = signed();
    const check = verifySignedHeaders({ path: DECLARE_PATH, headers, rawBody, publicKey, timeHeader: 'Response-Time' });
    assert.deepEqual(check, { ok: false, reason: 'MISSING_TIME' });
  });

  test('the signature is bound to the path: verifying under another path is BAD_SIGNATURE', () => {
    const headers = signed();
    const check = verifySignedHeaders({
      path: '/aps/api/v1/payments/pay',
      headers,
      rawBody,
      publicKey,
      timeHeader: 'Request-Time',
    });
    assert.deepEqual(check, { ok: false, reason: 'BAD_SIGNATURE' });
  });
});
