import { z } from 'zod';
import { BASE_TRANSFER, attributesOf, baseTransferSchema, messageAttributes } from './base';
import { CEB_NAMESPACE, element, lineTotalFen } from './fields';
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

/** A head or list element of a declaration: its schema's keys are its children in order; money fields are written in yuan. */
export interface Part<N extends string, S extends z.ZodObject> {
  name: N;
  schema: S;
  money?: readonly string[];
}

type DocumentShape<HN extends string, H, LN extends string, L extends z.ZodObject> = { [K in HN]: H } & { [K in LN]: z.ZodArray<L> };
type DeclarationShape<D extends string, Doc> = typeof messageAttributes & { [K in D]: Doc } & { BaseTransfer: typeof baseTransferSchema };

/** root (guid, version) → document (head, and a list of at least one line when the message has one) → BaseTransfer. */
function declarationSchema<D extends string, HN extends string, H extends z.ZodObject, LN extends string, L extends z.ZodObject>(
  document: D,
  head: Part<HN, H>,
  list?: Part<LN, L>,
) {
  const parts: Record<string, z.ZodType> = { [head.name]: head.schema };
  if (list) parts[list.name] = z.array(list.schema).min(1, `at least one ${list.name} item`);
  const documentSchema = z.object(parts as DocumentShape<HN, H, LN, L>, element(document));
  const shape = { ...messageAttributes, [document]: documentSchema, BaseTransfer: baseTransferSchema };
  return z.object(shape as DeclarationShape<D, typeof documentSchema>);
}

function shapeOf(part: Part<string, z.ZodObject>): ElementShape {
  return { name: part.name, fields: Object.keys(part.schema.shape), ...(part.money ? { money: new Set(part.money) } : {}) };
}

/** The spec of a declaration message; `refine` adds the rules across fields. */
export function declaration<
  D extends string,
  HN extends string,
  H extends z.ZodObject,
  LN extends string = never,
  L extends z.ZodObject = never,
>(
  messageType: string,
  document: D,
  head: Part<HN, H>,
  list?: Part<LN, L>,
  refine?: (m: z.output<ReturnType<typeof declarationSchema<D, HN, H, LN, L>>>, ctx: z.RefinementCtx) => void,
) {
  const plain = declarationSchema(document, head, list);
  const schema = refine ? plain.superRefine(refine) : plain;
  const spec: DeclarationSpec<typeof schema> = {
    messageType,
    document,
    head: shapeOf(head),
    ...(list ? { list: shapeOf(list) } : {}),
    schema,
  };
  return spec;
}

/** The spec of a receipt message: root (guid, version) → one or more `name` return elements. */
export function receipt<N extends string, R extends z.ZodObject>(messageType: string, name: N, returnElement: R) {
  const shape = { ...messageAttributes, [name]: z.array(returnElement).min(1, `at least one ${name}`) };
  const schema = z.object(shape as typeof messageAttributes & { [K in N]: z.ZodArray<R> });
  const spec: ReceiptSpec<typeof schema> = { messageType, element: { name, fields: Object.keys(returnElement.shape) }, schema };
  return spec;
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

/** A declaration's buildCebNNN and parseCebNNN. */
export function declarationCodec<S extends z.ZodType>(spec: DeclarationSpec<S>) {
  return { build: (model: z.input<S>) => buildDeclaration(spec, model), parse: (xml: string): z.output<S> => parseDeclaration(spec, xml) };
}

/** A receipt's buildCebNNN and parseCebNNN. */
export function receiptCodec<S extends z.ZodType>(spec: ReceiptSpec<S>) {
  return { build: (model: z.input<S>) => buildReceipt(spec, model), parse: (xml: string): z.output<S> => parseReceipt(spec, xml) };
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
