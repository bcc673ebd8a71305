import { z } from 'zod';
import { BASE_TRANSFER, attributesOf } from './base';
import { CEB_NAMESPACE, lineTotalFen } from './fields';
import { CebValidationError, appendElement, many, newMessage, parseCebXml, serialize, validate, type ElementShape } from './xml';

// The two shapes every message of the set takes. A declaration (CEB311, 411, 511, 621, 625) is
// root → document (head, optional list) → BaseTransfer; a receipt (CEB312, 412, 512, 622, 626) is
// root → one or more return elements. The model mirrors the XML's element names, so an error's
// field path (Order.OrderHead.acturalPaid) is the element a reader finds in the specification.

export interface DeclarationSpec<S extends z.ZodType> {
  messageType: string;
  /** The document element under the root, for example Order. */
  document: string;
  head: ElementShape;
  list?: ElementShape;
  schema: S;
}

export interface ReceiptSpec<S extends z.ZodType> {
  messageType: string;
  /** The return element, for example OrderReturn. */
  element: ElementShape;
  schema: S;
}

/** Validates the model against the field rules, then writes it as XML in the specification's order. */
export function buildDeclaration<S extends z.ZodType>(spec: DeclarationSpec<S>, model: z.input<S>): string {
  const m = validate(spec.schema, model, spec.messageType) as Record<string, unknown>;
  const doc = newMessage(spec.messageType, { guid: m.guid as string, version: m.version as string });
  const documentNode = m[spec.document] as Record<string, unknown>;
  const docEl = doc.ele(CEB_NAMESPACE, `ceb:${spec.document}`);
  appendElement(docEl, spec.head, documentNode[spec.head.name] as Record<string, unknown>);
  if (spec.list) for (const item of documentNode[spec.list.name] as Record<string, unknown>[]) appendElement(docEl, spec.list, item);
  appendElement(doc, BASE_TRANSFER, m.BaseTransfer as Record<string, unknown>);
  return serialize(doc);
}

/** Parses and validates a declaration; throws CebXmlRefused or CebValidationError naming the field and rule. */
export function parseDeclaration<S extends z.ZodType>(spec: DeclarationSpec<S>, xml: string): z.output<S> {
  const root = parseCebXml(xml, spec.messageType);
  const documentNode = root[spec.document];
  if (Array.isArray(documentNode)) {
    throw new CebValidationError(spec.messageType, [{ field: spec.document, rule: `one ${spec.document} per message` }]);
  }
  const d = documentNode && typeof documentNode === 'object' ? (documentNode as Record<string, unknown>) : undefined;
  const data = {
    ...attributesOf(root),
    [spec.document]: d && {
      [spec.head.name]: d[spec.head.name],
      ...(spec.list ? { [spec.list.name]: many(d[spec.list.name]) } : {}),
    },
    BaseTransfer: root.BaseTransfer,
  };
  return validate(spec.schema, data, spec.messageType);
}

export function buildReceipt<S extends z.ZodType>(spec: ReceiptSpec<S>, model: z.input<S>): string {
  const m = validate(spec.schema, model, spec.messageType) as Record<string, unknown>;
  const doc = newMessage(spec.messageType, { guid: m.guid as string, version: m.version as string });
  for (const item of m[spec.element.name] as Record<string, unknown>[]) appendElement(doc, spec.element, item);
  return serialize(doc);
}

export function parseReceipt<S extends z.ZodType>(spec: ReceiptSpec<S>, xml: string): z.output<S> {
  const root = parseCebXml(xml, spec.messageType);
  return validate(spec.schema, { ...attributesOf(root), [spec.element.name]: many(root[spec.element.name]) }, spec.messageType);
}

/** A rule across fields, reported on one field's path. */
export function crossFieldIssue(ctx: z.RefinementCtx, path: (string | number)[], message: string) {
  ctx.addIssue({ code: 'custom', path, message });
}

/** List lines are numbered 1, 2, 3... in order, and a line's totalPrice is price × qty (to the fen). */
export function checkListLines(
  ctx: z.RefinementCtx,
  path: string[],
  lines: readonly { gnum: number; price?: number; qty: string; totalPrice?: number }[],
) {
  lines.forEach((line, i) => {
    if (line.gnum !== i + 1) crossFieldIssue(ctx, [...path, i, 'gnum'], `must be ${i + 1}: lines are numbered from 1 in order`);
    if (line.price !== undefined && line.totalPrice !== undefined && line.totalPrice !== lineTotalFen(line.price, line.qty)) {
      crossFieldIssue(ctx, [...path, i, 'totalPrice'], 'must equal price × qty (rounded to the fen)');
    }
  });
}
