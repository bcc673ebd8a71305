// The China E-port cross-border import message set ("unified version", namespace
// http://www.chinaport.gov.cn/ceb): builders, parsers, receipts' code tables and signatures.
// docs/customs.md describes who files what and where each field list comes from.

import { verifyCebMessage, type VerifyOptions } from './signature';
import { CebValidationError, CebXmlRefused, guardXml, rootOf, type FieldProblem } from './xml';

export * from './base';
export * from './fields';
export * from './inventory';
export * from './order';
export * from './payment';
export * from './receipt-messages';
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

export type SafeParseResult<T> =
  | { success: true; data: T }
  | { success: false; problems: FieldProblem[]; refused?: undefined }
  | { success: false; problems: []; refused: string };

/** Like parseCebNNN, but returns the problems (field and rule) or the refusal instead of throwing. */
export function safeParse<T>(parse: (xml: string) => T, xml: string): SafeParseResult<T> {
  try {
    return { success: true, data: parse(xml) };
  } catch (error) {
    if (error instanceof CebValidationError) return { success: false, problems: error.problems };
    if (error instanceof CebXmlRefused) return { success: false, problems: [], refused: error.reason };
    throw error;
  }
}
