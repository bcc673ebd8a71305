import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  buildCeb311,
  CebSignatureError,
  CebXmlRefused,
  MAX_DEPTH,
  MAX_MESSAGE_BYTES,
  parseCeb311,
  parseCeb622,
  signCebMessage,
  verifyCebMessage,
} from '../../eport/ceb';
import { sampleOrder } from '../support/ceb-samples';

// Incoming XML is hostile until proven otherwise: a DTD, entities, size and depth are refused before
// any parser or the signature check reads the content.

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const order = buildCeb311(sampleOrder());

function refusedReason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CebXmlRefused) return error.reason;
    if (error instanceof CebSignatureError) return `signature: ${error.reason}`;
    throw error;
  }
  assert.fail('the XML was accepted');
}

/** `fn` refuses the XML before reading its content, for `reason`. */
function assertRefused(fn: () => unknown, reason: string | RegExp) {
  const actual = refusedReason(fn);
  if (typeof reason === 'string') assert.equal(actual, reason);
  else assert.match(actual, reason);
}

const XXE = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ceb:CEB622Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0"><ceb:InventoryReturn><ceb:returnInfo>&xxe;</ceb:returnInfo></ceb:InventoryReturn></ceb:CEB622Message>`;

const LAUGHS = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0"><ceb:Order>&lol3;</ceb:Order></ceb:CEB311Message>`;

describe('hostile XML', () => {
  test('an external entity (XXE) is refused by the parser and by the signature check', () => {
    assertRefused(() => parseCeb622(XXE), 'a DTD (<!DOCTYPE>) is not allowed');
    assertRefused(() => verifyCebMessage(XXE, { publicKey }), 'a DTD (<!DOCTYPE>) is not allowed');
  });

  test('entity expansion (billion laughs) is refused', () => {
    assertRefused(() => parseCeb311(LAUGHS), 'a DTD (<!DOCTYPE>) is not allowed');
    // An entity declaration smuggled without a DOCTYPE keyword in front is refused too.
    assertRefused(
      () => parseCeb311(order.replace('<ceb:CEB311Message', '<!ENTITY a "b"><ceb:CEB311Message')),
      'entity declarations are not allowed',
    );
  });

  test('a message over the size limit is refused before parsing', () => {
    const big = order
      .replace('<ceb:note>', '')
      .replace('</ceb:BaseTransfer>', `<ceb:note>${'x'.repeat(MAX_MESSAGE_BYTES)}</ceb:note></ceb:BaseTransfer>`);
    assertRefused(() => parseCeb311(big), `larger than ${MAX_MESSAGE_BYTES} bytes`);
    assertRefused(() => signCebMessage(big, { privateKey, keyName: 'k' }), `larger than ${MAX_MESSAGE_BYTES} bytes`);
  });

  test('deep nesting is refused', () => {
    const deep = `${'<a>'.repeat(MAX_DEPTH + 1)}${'</a>'.repeat(MAX_DEPTH + 1)}`;
    const xml = order.replace('<ceb:note>', '').replace('</ceb:BaseTransfer>', `<ceb:note>${deep}</ceb:note></ceb:BaseTransfer>`);
    assertRefused(() => parseCeb311(xml), `nested deeper than ${MAX_DEPTH} elements`);
    const atLimit = `${'<a>'.repeat(MAX_DEPTH - 3)}${'</a>'.repeat(MAX_DEPTH - 3)}`;
    const ok = order.replace('</ceb:BaseTransfer>', `<ceb:x>${atLimit}</ceb:x></ceb:BaseTransfer>`);
    assert.doesNotThrow(() => parseCeb311(ok), 'nesting within the limit passes the guard');
  });

  test('XML that is not well formed, a wrong root and a wrong namespace are refused', () => {
    assertRefused(() => parseCeb311(order.replace('</ceb:Order>', '')), /^not well formed: /);
    assertRefused(() => parseCeb622(order), 'root element is CEB311Message, expected CEB622Message');
    assertRefused(
      () => parseCeb311(order.replace('xmlns:ceb="http://www.chinaport.gov.cn/ceb"', 'xmlns:ceb="http://example.com/ceb"')),
      'CEB311Message is not in the namespace http://www.chinaport.gov.cn/ceb',
    );
  });

  test('the predefined entities still decode: a company name with & and < round trips', () => {
    const m = sampleOrder();
    m.Order.OrderHead.ebpName = 'A&B <Platform>';
    const xml = buildCeb311(m);
    assert.ok(xml.includes('A&amp;B &lt;Platform&gt;'));
    assert.equal(parseCeb311(xml).Order.OrderHead.ebpName, 'A&B <Platform>');
  });
});

test('quotes inside tags cannot hide nesting from the depth count', () => {
  const hidden = Array.from({ length: MAX_DEPTH + 2 }, () => `<a t="/>">`).join('') + '</a>'.repeat(MAX_DEPTH + 2);
  const xml = order.replace('</ceb:BaseTransfer>', `<ceb:x>${hidden}</ceb:x></ceb:BaseTransfer>`);
  assertRefused(() => parseCeb311(xml), `nested deeper than ${MAX_DEPTH} elements`);
  assertRefused(() => verifyCebMessage(xml, { publicKey }), `nested deeper than ${MAX_DEPTH} elements`);
});
