import type { CustomsReceipt } from '../../domain/customs-filing';
import type { CustomsDocumentView, CustomsOrderView, CustomsState } from '../../domain/order-api';

// Receipts from the e-port (CEB312 order, CEB512 waybill, CEB622 inventory list), applied to what the
// order knows about each customs order. Receipts come late, twice and out of order: a receipt already
// applied, or older than what the document shows, changes nothing.

export interface CustomsOrder extends CustomsOrderView {
  /** Receipts applied, by guid, so one delivered twice changes nothing. A handful per document. */
  seen: string[];
  /** The guid of each document's current filing, which its receipts echo. */
  filings: Partial<Record<FiledKind, string>>;
  /** An operator corrected it: the loop files the refused documents again. */
  refile?: boolean;
}

type FiledKind = 'ORDER' | 'WAYBILL' | 'INVENTORY';

const DOCUMENT_OF = { ORDER: 'order', WAYBILL: 'waybill', INVENTORY: 'inventory' } as const;

/** CEB622 states in the order the goods pass through them: a later receipt never goes back. */
const INVENTORY_PROGRESS = ['2', '3', '120', '300', '399', '500', '501', '502', '503', '599', '700', '800', '899'];

export const isRefused = (code: string | undefined) => code !== undefined && (code === '100' || code.startsWith('-'));

export function newCustomsOrder(orderNo: string): CustomsOrder {
  const doc = (): CustomsDocumentView => ({ attempt: 0 });
  return { orderNo, state: 'FILING', order: doc(), waybill: doc(), inventory: doc(), corrections: [], seen: [], filings: {} };
}

/** Applies the receipts about one customs order; returns whether anything changed. */
export function applyReceipts(c: CustomsOrder, receipts: readonly CustomsReceipt[]): boolean {
  let changed = false;
  const sorted = [...receipts].sort((a, b) => Date.parse(a.returnTime) - Date.parse(b.returnTime));
  for (const r of sorted) {
    if (r.orderNo !== c.orderNo || c.seen.includes(r.guid)) continue;
    if (r.document !== 'ORDER' && r.document !== 'WAYBILL' && r.document !== 'INVENTORY') continue;
    c.seen.push(r.guid);
    if (applyOne(c, r.document, r)) changed = true;
  }
  c.state = stateOf(c);
  return changed;
}

function applyOne(c: CustomsOrder, kind: FiledKind, r: CustomsReceipt): boolean {
  const doc = c[DOCUMENT_OF[kind]];
  // A receipt about an earlier filing of a document filed again since.
  const filing = c.filings[kind];
  if (r.filingGuid && filing && r.filingGuid !== filing) return false;
  if (!r.filingGuid && doc.filedAt && Date.parse(r.returnTime) < Date.parse(doc.filedAt)) return false;
  if (doc.returnTime && Date.parse(r.returnTime) < Date.parse(doc.returnTime)) return false;
  if (kind === 'INVENTORY' && !isRefused(r.returnStatus) && !isRefused(doc.returnStatus)) {
    if (INVENTORY_PROGRESS.indexOf(r.returnStatus) < INVENTORY_PROGRESS.indexOf(doc.returnStatus ?? '')) return false;
  }
  Object.assign(doc, { returnStatus: r.returnStatus, returnTime: r.returnTime, returnInfo: r.returnInfo });
  if (kind !== 'INVENTORY') return true;
  if (r.invtNo) c.invtNo = r.invtNo;
  const code = r.returnStatus;
  if (code === '500') c.inspectionSince ??= r.returnTime;
  if (['501', '502', '503', '599'].includes(code)) c.detainedSince ??= r.returnTime;
  if (code === '800' || code === '899') c.releasedAt ??= r.returnTime;
  return true;
}

/** Where a customs order stands, in one word. */
export function stateOf(c: CustomsOrder): CustomsState {
  if (isRefused(c.order.returnStatus) || isRefused(c.waybill.returnStatus) || isRefused(c.inventory.returnStatus)) {
    return 'DOCUMENT_REJECTED';
  }
  switch (c.inventory.returnStatus) {
    case '800':
    case '899':
      return 'RELEASED';
    case '700':
      return 'RETURNED_ABROAD';
    case '501':
    case '502':
    case '503':
    case '599':
      return 'DETAINED';
    case '500':
      return 'INSPECTION';
    case '300':
      return 'MANUAL_REVIEW';
    case '399':
      return 'REVIEWED';
    case '120':
      return 'STORED';
  }
  return c.order.filedAt && c.waybill.filedAt && c.inventory.filedAt ? 'AWAITING_RECEIPTS' : 'FILING';
}

/** The documents customs refused, to be filed again after a correction. */
export function refusedDocuments(c: CustomsOrder): FiledKind[] {
  return (['ORDER', 'WAYBILL', 'INVENTORY'] as const).filter((k) => isRefused(c[DOCUMENT_OF[k]].returnStatus));
}

/** What a correction files again: the refused documents; all three when the list was refused, since the list is matched against them as filed. */
export function documentsToRefile(c: CustomsOrder): FiledKind[] {
  const refused = refusedDocuments(c);
  return refused.includes('INVENTORY') ? ['ORDER', 'WAYBILL', 'INVENTORY'] : refused;
}

/** What is missing or refused, in words for operators. */
export function customsProblems(c: CustomsOrder): string {
  const parts = (['ORDER', 'WAYBILL', 'INVENTORY'] as const).map((k) => {
    const d = c[DOCUMENT_OF[k]];
    const name = `${DOCUMENT_OF[k]} (${CEB_OF[k]})`;
    if (!d.filedAt) return `${name} not filed`;
    if (!d.returnStatus) return `${name} awaiting its receipt`;
    return `${name} ${d.returnStatus}${d.returnInfo ? ` ${d.returnInfo}` : ''}`;
  });
  return `${c.orderNo}: ${parts.join('; ')}`;
}

const CEB_OF = { ORDER: 'CEB311', WAYBILL: 'CEB511', INVENTORY: 'CEB621' } as const;

export function documentOf(c: CustomsOrder, kind: FiledKind): CustomsDocumentView {
  return c[DOCUMENT_OF[kind]];
}

/** The view operators and callers see: no receipt bookkeeping. */
export function customsView({ seen: _s, filings: _f, refile: _r, ...view }: CustomsOrder): CustomsOrderView {
  return {
    ...view,
    order: { ...view.order },
    waybill: { ...view.waybill },
    inventory: { ...view.inventory },
    corrections: view.corrections.map((c) => ({ ...c, items: c.items.map((i) => ({ ...i })) })),
  };
}
