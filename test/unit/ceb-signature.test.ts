import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  buildCeb311,
  buildCeb411,
  buildCeb511,
  buildCeb621,
  buildCeb622,
  buildCeb625,
  CebSignatureError,
  parseCeb311,
  parseCeb622,
  parseSigned,
  RSA_SHA1,
  RSA_SHA256,
  SHA256,
  signCebMessage,
  verifyCebMessage,
  type VerifyOptions,
} from '../../eport/ceb';
import { GUID, receiptAttrs, sampleInventory, sampleOrder, samplePayment, sampleReturn, sampleWaybill } from '../support/ceb-samples';

// The enveloped XML signature: every message signs and verifies; a changed message, a wrong key,
// a moved or doubled signature, and an algorithm the customs does not use are refused with a reason.

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const impostor = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { privateKey: merchant.privateKey, keyName: 'dev-0001' };
const verifyWith = { publicKey: merchant.publicKey };

function refusal(xml: string, options: VerifyOptions = verifyWith): string {
  try {
    verifyCebMessage(xml, options);
  } catch (error) {
    if (error instanceof CebSignatureError) return error.reason;
    throw error;
  }
  assert.fail('the signed message was accepted');
}

const signedOrder = signCebMessage(buildCeb311(sampleOrder()), key);

describe('signing', () => {
  test('every declaration signs and verifies; the signature is the root’s last child, RSA-SHA1 over C14N as the customs uses', () => {
    const built = [
      buildCeb311(sampleOrder()),
      buildCeb411(samplePayment()),
      buildCeb511(sampleWaybill()),
      buildCeb621(sampleInventory()),
      buildCeb625(sampleReturn()),
    ];
    for (const xml of built) {
      const signed = signCebMessage(xml, key);
      assert.match(signed, /<ds:Signature xmlns:ds="http:\/\/www.w3.org\/2000\/09\/xmldsig#">.*<\/ds:Signature><\/ceb:CEB\d{3}Message>$/);
      assert.match(signed, /<ds:SignatureMethod Algorithm="http:\/\/www.w3.org\/2000\/09\/xmldsig#rsa-sha1"\/>/);
      assert.match(signed, /<ds:CanonicalizationMethod Algorithm="http:\/\/www.w3.org\/TR\/2001\/REC-xml-c14n-20010315"\/>/);
      assert.match(signed, /<ds:Reference URI="">/);
      assert.match(signed, /<ds:KeyName>dev-0001<\/ds:KeyName>/);
      assert.doesNotThrow(() => verifyCebMessage(signed, verifyWith));
    }
  });

  test('the verified content is the message without its signature, and it parses to the model that was signed', () => {
    const parsed = parseSigned(signedOrder, verifyWith, parseCeb311);
    assert.deepEqual(parsed, parseCeb311(buildCeb311(sampleOrder())));
    assert.ok(!verifyCebMessage(signedOrder, verifyWith).includes('Signature'));
  });

  test('receipts sign and verify the same way', () => {
    const receipt = buildCeb622({
      ...receiptAttrs,
      InventoryReturn: [
        {
          guid: GUID(60),
          customsCode: '2991',
          ebpCode: '3301964J31',
          ebcCode: '3301964J31',
          agentCode: '3301964J31',
          copNo: 'INV-2026-0001',
          returnStatus: '800',
          returnTime: '20261201150000',
          returnInfo: 'released',
        },
      ],
    });
    const parsed = parseSigned(signCebMessage(receipt, key), verifyWith, parseCeb622);
    assert.equal(parsed.InventoryReturn[0].returnStatus, '800');
  });

  test('RSA-SHA256 with a SHA-256 digest also verifies when the verifier accepts it, and is refused when it does not', () => {
    const signed = signCebMessage(buildCeb311(sampleOrder()), key, { signature: RSA_SHA256, digest: SHA256 });
    assert.doesNotThrow(() => verifyCebMessage(signed, verifyWith));
    assert.match(refusal(signed, { ...verifyWith, algorithms: [RSA_SHA1] }), /signature algorithm .*rsa-sha256 is not accepted/);
  });
});

describe('refusals', () => {
  test('a changed amount is refused: the signed content was changed', () => {
    const tampered = signedOrder.replace('<ceb:acturalPaid>278.66<', '<ceb:acturalPaid>178.66<');
    assert.notEqual(tampered, signedOrder);
    assert.equal(refusal(tampered), 'the signed content was changed after signing (its digest does not match)');
  });

  test('a changed attribute, an added element and a removed line are refused', () => {
    const variants = [
      signedOrder.replace(`guid="${GUID(1)}"`, `guid="${GUID(99)}"`),
      signedOrder.replace('<ceb:BaseTransfer>', '<ceb:BaseTransfer><ceb:note>x</ceb:note>'),
      signedOrder.replace(/<ceb:OrderList><ceb:gnum>2<\/ceb:gnum>.*?<\/ceb:OrderList>/, ''),
    ];
    for (const v of variants) {
      assert.notEqual(v, signedOrder);
      assert.match(refusal(v), /changed after signing/);
    }
  });

  test('a message signed by another key is refused', () => {
    assert.equal(refusal(signedOrder, { publicKey: impostor.publicKey }), 'the signature value does not verify with the configured key');
  });

  test('a changed signature value is refused', () => {
    const tampered = signedOrder.replace(/<ds:SignatureValue>(.)/, (_m, c: string) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`);
    assert.equal(refusal(tampered), 'the signature value does not verify with the configured key');
  });

  test('an unsigned message, two signatures, and a signature that is not the last child are refused', () => {
    assert.equal(refusal(buildCeb311(sampleOrder())), 'the message is not signed (no ds:Signature)');
    const sig = /<ds:Signature .*<\/ds:Signature>/.exec(signedOrder)![0];
    assert.equal(refusal(signedOrder.replace(sig, sig + sig)), 'more than one ds:Signature');
    const moved = signedOrder.replace(sig, '').replace('<ceb:BaseTransfer>', `${sig}<ceb:BaseTransfer>`);
    assert.equal(refusal(moved), 'ds:Signature must be the last child of the root (enveloped)');
  });

  test('a reference to part of the message, another transform, or a weaker algorithm is refused before any crypto', () => {
    assert.equal(
      refusal(signedOrder.replace('<ds:Reference URI="">', '<ds:Reference URI="#x">')),
      'the signature must cover the whole message (Reference URI="")',
    );
    assert.equal(
      refusal(
        signedOrder.replace(
          'xmldsig#enveloped-signature"/>',
          'xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>',
        ),
      ),
      'the reference must use the enveloped-signature transform only',
    );
    assert.match(
      refusal(signedOrder.replace('xmldsig#rsa-sha1"', 'xmldsig#hmac-sha1"')),
      /signature algorithm http:\/\/www.w3.org\/2000\/09\/xmldsig#hmac-sha1 is not accepted/,
    );
    assert.match(refusal(signedOrder.replace('xmldsig#sha1"', 'xmldsig#md5"')), /digest algorithm .*md5 is not accepted/);
  });

  test('a certificate the message carries in KeyInfo is not trusted: the impostor signs with its own KeyInfo and is refused', () => {
    const forged = signCebMessage(buildCeb311(sampleOrder()), { privateKey: impostor.privateKey, keyName: 'dev-0001' });
    assert.equal(refusal(forged), 'the signature value does not verify with the configured key');
  });
});
