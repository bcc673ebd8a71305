import type { KeyLike } from 'node:crypto';
import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { guardXml } from './xml';

// The XML digital signature of the customs messages: one enveloped ds:Signature, the last child of
// the root, over the whole document (Reference URI=""), canonicalized with inclusive C14N 1.0. The
// customs' transfer client signs with the enterprise certificate on its key (UKey) using RSA-SHA1
// and a SHA-1 digest (newer keys use SM2/SM3, which xml-crypto does not implement). The sandbox
// signs the same way with a development RSA key. A verifier trusts only the key it is configured
// with, never a certificate that the message carries in its KeyInfo.

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export interface SignatureAlgorithms {
  signature: typeof RSA_SHA1 | typeof RSA_SHA256;
  digest: typeof SHA1 | typeof SHA256;
}

/** What the customs transfer client uses with an RSA enterprise certificate, and so what the sandbox uses. */
export const CUSTOMS_ALGORITHMS: SignatureAlgorithms = { signature: RSA_SHA1, digest: SHA1 };

export interface SigningKey {
  privateKey: KeyLike;
  /** The certificate's serial number, written as ds:KeyName (the transfer client writes the card's certificate number). */
  keyName: string;
  /** Base64 DER of the X.509 certificate, written as ds:X509Certificate when given. */
  certificateBase64?: string;
}

export class CebSignatureError extends Error {
  override name = 'CebSignatureError';
  constructor(readonly reason: string) {
    super(`customs message signature refused: ${reason}`);
  }
}

/** Signs a built message: appends the enveloped ds:Signature as the root's last child. */
export function signCebMessage(xml: string, key: SigningKey, algorithms: SignatureAlgorithms = CUSTOMS_ALGORITHMS): string {
  guardXml(xml);
  const signer = new SignedXml({
    privateKey: key.privateKey,
    signatureAlgorithm: algorithms.signature,
    canonicalizationAlgorithm: C14N,
    getKeyInfoContent: () =>
      `<ds:KeyName>${escapeText(key.keyName)}</ds:KeyName>` +
      (key.certificateBase64 ? `<ds:X509Data><ds:X509Certificate>${key.certificateBase64}</ds:X509Certificate></ds:X509Data>` : ''),
  });
  signer.addReference({ xpath: '/*', uri: '', isEmptyUri: true, transforms: [ENVELOPED], digestAlgorithm: algorithms.digest });
  signer.computeSignature(xml, { prefix: 'ds', location: { reference: '/*', action: 'append' } });
  return signer.getSignedXml();
}

export interface VerifyOptions {
  /** The signer's public key (or certificate), from configuration. */
  publicKey: KeyLike;
  /** Signature algorithms accepted; by default the customs' RSA-SHA1 and RSA-SHA256. */
  algorithms?: readonly SignatureAlgorithms['signature'][];
}

/**
 * Verifies a signed message and returns the XML that the signature covers (canonical, without the
 * signature), which is what a caller should parse. Throws CebSignatureError with the reason.
 */
export function verifyCebMessage(xml: string, options: VerifyOptions): string {
  guardXml(xml);
  const doc = parseDom(xml);
  const root = doc.documentElement;
  if (!root) throw new CebSignatureError('no root element');
  const signatures = Array.from(doc.getElementsByTagNameNS(DSIG_NS, 'Signature'));
  if (signatures.length === 0) throw new CebSignatureError('the message is not signed (no ds:Signature)');
  if (signatures.length > 1) throw new CebSignatureError('more than one ds:Signature');
  const signature = signatures[0];
  if (signature.parentNode !== root || lastElementChild(root) !== signature) {
    throw new CebSignatureError('ds:Signature must be the last child of the root (enveloped)');
  }
  checkSignedInfo(signature, options.algorithms ?? [RSA_SHA1, RSA_SHA256]);

  const verifier = new SignedXml({ publicCert: options.publicKey, getCertFromKeyInfo: () => null });
  verifier.loadSignature(signature);
  let valid: boolean;
  try {
    valid = verifier.checkSignature(xml);
  } catch (error) {
    throw new CebSignatureError(explain((error as Error).message));
  }
  if (!valid) {
    const broken = verifier.getReferences().find((r) => r.validationError);
    throw new CebSignatureError(
      broken
        ? 'the signed content was changed after signing (its digest does not match)'
        : 'the signature value does not verify with the configured key',
    );
  }
  const [signed] = verifier.getSignedReferences();
  if (!signed) throw new CebSignatureError('the signature covers nothing');
  return signed;
}

function checkSignedInfo(signature: XmlElement, allowed: readonly string[]) {
  const one = (name: string, parent: XmlElement = signature): XmlElement => {
    const found = Array.from(parent.getElementsByTagNameNS(DSIG_NS, name));
    if (found.length !== 1) throw new CebSignatureError(`expected exactly one ds:${name}, found ${found.length}`);
    return found[0];
  };
  const signedInfo = one('SignedInfo');
  const method = one('SignatureMethod', signedInfo).getAttribute('Algorithm') ?? '';
  if (!allowed.includes(method)) throw new CebSignatureError(`signature algorithm ${method || '(none)'} is not accepted`);
  const c14n = one('CanonicalizationMethod', signedInfo).getAttribute('Algorithm');
  if (c14n !== C14N) throw new CebSignatureError(`canonicalization ${c14n ?? '(none)'} is not C14N 1.0`);
  const reference = one('Reference', signedInfo);
  if (reference.getAttribute('URI') !== '') throw new CebSignatureError('the signature must cover the whole message (Reference URI="")');
  const transforms = Array.from(reference.getElementsByTagNameNS(DSIG_NS, 'Transform')).map((t) => t.getAttribute('Algorithm'));
  if (!transforms.includes(ENVELOPED) || transforms.some((t) => t !== ENVELOPED && t !== C14N)) {
    throw new CebSignatureError('the reference must use the enveloped-signature transform only');
  }
  const digest = one('DigestMethod', reference).getAttribute('Algorithm');
  if (digest !== SHA1 && digest !== SHA256) throw new CebSignatureError(`digest algorithm ${digest ?? '(none)'} is not accepted`);
}

/** xml-crypto's messages, said in terms of the message. */
function explain(message: string): string {
  if (/digest/i.test(message)) return 'the signed content was changed after signing (its digest does not match)';
  if (/signature value/i.test(message)) return 'the signature value does not verify with the configured key';
  return message;
}

function parseDom(xml: string) {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(xml, 'text/xml');
  if (errors.length > 0) throw new CebSignatureError(`not well formed: ${errors[0]}`);
  return doc;
}

function lastElementChild(el: XmlElement): XmlElement | null {
  for (let n = el.lastChild; n; n = n.previousSibling) if (n.nodeType === 1) return n as XmlElement;
  return null;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
