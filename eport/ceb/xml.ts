import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { z } from 'zod';
import { CEB_NAMESPACE, fenToYuan } from './fields';

// XML in and out for the customs messages. Incoming XML is hostile until proven otherwise: it is
// refused before any parser sees it when it is too large, declares a DTD or entities (XXE, billion
// laughs), nests too deep, or is not well formed.

export const MAX_MESSAGE_BYTES = 1_000_000;
export const MAX_DEPTH = 16;

export interface FieldProblem {
  /** Dotted path of the field, for example `Order.OrderHead.acturalPaid` or `Order.OrderList.0.qty`. */
  field: string;
  rule: string;
}

/** A message that breaks a field rule; the text names each field and the rule it breaks. */
export class CebValidationError extends Error {
  override name = 'CebValidationError';
  constructor(
    readonly messageType: string,
    readonly problems: FieldProblem[],
  ) {
    super(`${messageType} is invalid: ${problems.map((p) => `${p.field || '(message)'}: ${p.rule}`).join('; ')}`);
  }
}

/** XML that is refused before its content is read: too large, a DTD, too deep, not well formed, wrong root. */
export class CebXmlRefused extends Error {
  override name = 'CebXmlRefused';
  constructor(readonly reason: string) {
    super(`customs XML refused: ${reason}`);
  }
}

export function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), rule: issue.message }));
}

/** Validates with the schema or throws CebValidationError naming the field and the rule. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, messageType: string): z.output<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new CebValidationError(messageType, problemsOf(parsed.error));
  return parsed.data;
}

/** Refuses XML that no customs message needs and that attacks parsers; returns it unchanged otherwise. */
export function guardXml(xml: string): string {
  if (typeof xml !== 'string') throw new CebXmlRefused('not text');
  if (Buffer.byteLength(xml, 'utf8') > MAX_MESSAGE_BYTES) throw new CebXmlRefused(`larger than ${MAX_MESSAGE_BYTES} bytes`);
  if (/<!DOCTYPE/i.test(xml)) throw new CebXmlRefused('a DTD (<!DOCTYPE>) is not allowed');
  if (/<!ENTITY/i.test(xml)) throw new CebXmlRefused('entity declarations are not allowed');
  const depth = maxDepth(xml);
  if (depth > MAX_DEPTH) throw new CebXmlRefused(`nested deeper than ${MAX_DEPTH} elements`);
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) throw new CebXmlRefused(`not well formed: ${wellFormed.err.msg} (line ${wellFormed.err.line})`);
  return xml;
}

/** The deepest element nesting, counted over the tags (quotes inside tags respected) without building a tree. */
function maxDepth(xml: string): number {
  let depth = 0;
  let deepest = 0;
  let i = 0;
  while ((i = xml.indexOf('<', i)) !== -1) {
    if (xml.startsWith('<!--', i)) i = skipTo(xml, i, '-->');
    else if (xml.startsWith('<![CDATA[', i)) i = skipTo(xml, i, ']]>');
    else if (xml.startsWith('<?', i) || xml.startsWith('<!', i)) i = skipTo(xml, i, '>');
    else {
      const closing = xml[i + 1] === '/';
      let quote = '';
      let j = i + 1;
      for (; j < xml.length; j++) {
        const c = xml[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      const selfClosing = xml[j - 1] === '/';
      if (closing) depth--;
      else deepest = Math.max(deepest, depth + 1);
      if (!closing && !selfClosing) depth++;
      i = j + 1;
    }
  }
  return deepest;
}

function skipTo(xml: string, from: number, end: string): number {
  const at = xml.indexOf(end, from);
  return at === -1 ? xml.length : at + end.length;
}

/** The root element of a customs message: its local name and the namespace its prefix is bound to. */
export function rootOf(xml: string): { name: string; namespace: string | undefined } {
  const start = /<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)((?:\s+[^>]*?)?)\/?>/.exec(xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''));
  if (!start) throw new CebXmlRefused('no root element');
  const [, prefix, name, attrs] = start;
  const nsAttr = prefix ? `xmlns:${prefix}` : 'xmlns';
  const ns = new RegExp(`\\s${nsAttr.replace('.', '\\.')}\\s*=\\s*(["'])(.*?)\\1`).exec(attrs ?? '');
  return { name: name, namespace: ns?.[2] };
}

/** Every element that may repeat in any message, so the parsed object has an array even for one. */
const REPEATING = new Set([
  'OrderList',
  'InventoryList',
  'InvtRefundList',
  'OrderReturn',
  'LogisticsReturn',
  'PaymentReturn',
  'InventoryReturn',
  'InvtRefundReturn',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
  isArray: (name) => REPEATING.has(name),
});

/**
 * Parses a customs message after the guard. The root must be `expected` in the customs namespace.
 * Returns the root element's content: attributes as `@guid`, children by local name, leaves as strings.
 */
export function parseCebXml(xml: string, expected: string): Record<string, unknown> {
  guardXml(xml);
  const root = rootOf(xml);
  if (root.name !== expected) throw new CebXmlRefused(`root element is ${root.name}, expected ${expected}`);
  if (root.namespace !== CEB_NAMESPACE) throw new CebXmlRefused(`${expected} is not in the namespace ${CEB_NAMESPACE}`);
  const parsed = parser.parse(xml) as Record<string, unknown>;
  const content = parsed[expected];
  return content && typeof content === 'object' ? (content as Record<string, unknown>) : {};
}

/** How one element is written: its children in the specification's order, and which of them are money. */
export interface ElementShape {
  name: string;
  fields: readonly string[];
  money?: ReadonlySet<string>;
}

/** A new message document with its root element in the customs namespace. */
export function newMessage(messageType: string, attrs: { guid: string; version: string }): XMLBuilder {
  return create({ version: '1.0', encoding: 'UTF-8' })
    .ele(CEB_NAMESPACE, `ceb:${messageType}`)
    .att('guid', attrs.guid)
    .att('version', attrs.version);
}

/** Appends an element with the values of `shape.fields` in order; absent optional fields are left out. */
export function appendElement(parent: XMLBuilder, shape: ElementShape, values: Record<string, unknown>): XMLBuilder {
  const el = parent.ele(CEB_NAMESPACE, `ceb:${shape.name}`);
  for (const field of shape.fields) {
    const value = values[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError(`${shape.name}.${field} is not a value`);
    const text = shape.money?.has(field) && typeof value === 'number' ? fenToYuan(value) : String(value);
    el.ele(CEB_NAMESPACE, `ceb:${field}`).txt(text);
  }
  return el;
}

export function serialize(doc: XMLBuilder): string {
  return doc.end({ prettyPrint: false });
}

/** `x` as an array: a single parsed element or an array of them; nothing is an empty array. */
export function many(x: unknown): unknown[] {
  if (x === undefined || x === null || x === '') return [];
  return Array.isArray(x) ? x : [x];
}
