import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CustomsReceipt } from '../../domain/customs-filing';
import { applyReceipts, documentsToRefile, newCustomsOrder } from '../../workflows/order/customs-receipts';

// How the order reads receipts that come late, twice and out of order (workflows/order/customs-receipts.ts).

const at = (minute: number) => new Date(Date.UTC(2026, 11, 2, 3, minute)).toISOString();
const filed = () => {
  const c = newCustomsOrder('ORD-1');
  for (const [kind, doc] of [
    ['ORDER', c.order],
    ['WAYBILL', c.waybill],
    ['INVENTORY', c.inventory],
  ] as const) {
    doc.filedAt = at(0);
    c.filings[kind] = `G-${kind}-0`;
  }
  return c;
};
const receipt = (
  document: CustomsReceipt['document'],
  returnStatus: string,
  minute: number,
  guid: string,
  filingGuid?: string,
): CustomsReceipt => ({
  document,
  orderNo: 'ORD-1',
  guid,
  filingGuid: filingGuid ?? `G-${document}-0`,
  returnStatus,
  returnTime: at(minute),
  returnInfo: `status ${returnStatus}`,
});

test('the list never goes back: a 399 delivered after the 800 changes nothing', () => {
  const c = filed();
  applyReceipts(c, [receipt('INVENTORY', '120', 1, 'R1'), receipt('INVENTORY', '800', 5, 'R3')]);
  assert.equal(c.state, 'RELEASED');
  assert.equal(applyReceipts(c, [receipt('INVENTORY', '399', 3, 'R2')]), false);
  assert.equal(c.inventory.returnStatus, '800');
  assert.equal(c.releasedAt, at(5));
});

test('receipts in one batch are applied in time order, whatever order they came in', () => {
  const c = filed();
  applyReceipts(c, [receipt('INVENTORY', '800', 6, 'R4'), receipt('INVENTORY', '500', 4, 'R3'), receipt('INVENTORY', '120', 1, 'R1')]);
  assert.equal(c.inventory.returnStatus, '800');
  assert.equal(c.inspectionSince, at(4), 'the inspection it passed through is recorded');
});

test('a receipt delivered twice is applied once', () => {
  const c = filed();
  assert.equal(applyReceipts(c, [receipt('ORDER', '120', 1, 'R1')]), true);
  assert.equal(applyReceipts(c, [receipt('ORDER', '120', 1, 'R1')]), false);
  assert.deepEqual(c.seen, ['R1']);
});

test('a receipt about an earlier filing of a document filed again is ignored; a refused list files all three again', () => {
  const c = filed();
  applyReceipts(c, [receipt('INVENTORY', '100', 1, 'R1')]);
  assert.equal(c.state, 'DOCUMENT_REJECTED');
  assert.deepEqual(documentsToRefile(c), ['ORDER', 'WAYBILL', 'INVENTORY']);
  // Filed again: attempt 1 has a new guid; the old filing's late 100 must not refuse the new one.
  Object.assign(c.inventory, { attempt: 1, returnStatus: undefined, returnTime: undefined, filedAt: at(2) });
  c.filings.INVENTORY = 'G-INVENTORY-1';
  applyReceipts(c, [receipt('INVENTORY', '100', 3, 'R2', 'G-INVENTORY-0'), receipt('INVENTORY', '120', 3, 'R3', 'G-INVENTORY-1')]);
  assert.equal(c.inventory.returnStatus, '120');
  assert.equal(c.state, 'STORED');
});

test('a refused order document alone is the only document filed again', () => {
  const c = filed();
  applyReceipts(c, [receipt('ORDER', '100', 1, 'R1'), receipt('WAYBILL', '120', 1, 'R2')]);
  assert.equal(c.state, 'DOCUMENT_REJECTED');
  assert.deepEqual(documentsToRefile(c), ['ORDER']);
});
