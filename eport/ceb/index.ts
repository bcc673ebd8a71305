// The China E-port cross-border import message set ("unified version", namespace
// http://www.chinaport.gov.cn/ceb): builders, parsers, receipts' code tables and signatures.
// docs/customs.md describes who files what and where each field list comes from.

import { verifyCebMessage, type VerifyOptions } from './signature';
import { rootOf, guardXml } from './xml';

export * from './base';
export * from './fields';
export * from './inventory';
export * from './order';
export * from './payment';
export * from './receipts';
export * from './refund';
export * from './signature';
export * from './waybill';
export { CebValidationError, CebXmlRefused, guardXml, type FieldProblem, MAX_DEPTH, MAX_MESSAGE_BYTES } from './xml';

/** The message type a document claims to be (its root element), for example CEB622Message. */
export function messageTypeOf(xml: string): string {
  return rootOf(guardXml(xml)).name;
}

/** Verifies the signature, then parses only what the signature covers. */
export function parseSigned<T>(xml: string, options: VerifyOptions, parse: (xml: string) => T): T {
  return parse(verifyCebMessage(xml, options));
}
