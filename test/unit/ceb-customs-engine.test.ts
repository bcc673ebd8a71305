import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  buildCeb311,
  buildCeb511,
  buildCeb621,
  buildCeb625,
  parseCeb622,
  parseCeb626,
  parseSigned,
  signCebMessage,
  verifyCebMessage,
  type Ceb311Input,
  type Ceb621Input,
} from '../../eport/ceb';
import { deliveryPlan } from '../../sandbox/customs/delivery';
import { CustomsEngine, RETURN_WINDOW_MS, type PaymentDeclaration } from '../../sandbox/customs/engine';
import type { InventoryPath } from '../../sandbox/customs/paths';
import { sampleInventory, sampleOrder, sampleReturn, sampleWaybill } from '../support/ceb-samples';

// The sandbox's customs engine, pure: signed filings in, signed receipts out, paths set by the test.

const customs = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const carrier = generateKeyPairSync('rsa', { modulusLength: 2048 });
const MERCHANT = '3301964J31';
const CARRIER = '3301980101';
const T0 = Date.UTC(2026, 11, 1, 3, 0, 0);
const DAY = 24 * 3600_000;

function engine(path: InventoryPath | ((attempt: number) => InventoryPath) = { kind: 'RELEASE' }) {
  const keys: Record<string, typeof merchant.publicKey> = { [MERCHANT]: merchant.publicKey, [CARRIER]: carrier.publicKey };
  return new CustomsEngine({
    signingKey: { privateKey: customs.privateKey, keyName: 'customs-dev' },
    keyOf: (code) => keys[code],
    pathFor: (_orderNo, attempt) => (typeof path === 'function' ? path(attempt) : path),
  });
}

const byMerchant = (xml: string) => signCebMessage(xml, { privateKey: merchant.privateKey, keyName: 'merchant-dev' });
const byCarrier = (xml: string) => signCebMessage(xml, { privateKey: carrier.privateKey, keyName: 'carrier-dev' });

const payment = (change: Partial<PaymentDeclaration> = {}): PaymentDeclaration => ({
  orderNo: 'ORD-2026-0001',
  payCode: '31222699S7',
  payName: 'Alipay',
  payTransactionId: '2026120122001400000001',
  amountPaidFen: 27866,
  payer: { idType: '1', idNumber: '11010519491231002X', name: '测试买家' },
  ebpCode: MERCHANT,
  ebpName: 'Sandbox Platform',
  ...change,
});

/** Files order, payment and waybill; returns the engine ready for the inventory list. */
function threeDocuments(e: CustomsEngine, order: Ceb311Input = sampleOrder(), pay = payment()) {
  const o = e.receive(byMerchant(buildCeb311(order)), MERCHANT, T0);
  assert.ok(o.accepted && o.receipts[0].returnStatus === '120', JSON.stringify(o));
  e.declarePayment(pay, T0);
  const w = e.receive(byCarrier(buildCeb511(sampleWaybill())), CARRIER, T0);
  assert.ok(w.accepted && w.receipts[0].returnStatus === '120');
}

function fileInventory(e: CustomsEngine, inv: Ceb621Input = sampleInventory(), at = T0) {
  const r = e.receive(byMerchant(buildCeb621(inv)), MERCHANT, at);
  assert.ok(r.accepted, JSON.stringify(r));
  return r.receipts;
}

const statuses = (receipts: { returnStatus: string }[]) => receipts.map((r) => r.returnStatus);

describe('three-document match', () => {
  test('matching documents: the list is stored, then reviewed and released; every receipt is signed by customs', () => {
    const e = engine();
    threeDocuments(e);
    const first = fileInventory(e);
    const rest = e.settle('ORD-2026-0001', T0 + 60_000);
    assert.deepEqual(statuses([...first, ...rest]), ['120', '399', '800']);
    for (const r of [...first, ...rest]) {
      const parsed = parseSigned(r.xml, { publicKey: customs.publicKey }, parseCeb622);
      assert.equal(parsed.InventoryReturn[0].returnStatus, r.returnStatus);
      assert.equal(r.to, MERCHANT);
    }
    assert.equal(e.inventoryStatus('ORD-2026-0001'), '800');
  });

  test('a payment amount that differs from acturalPaid: the list is rejected, saying which amounts differ', () => {
    const e = engine();
    threeDocuments(e, sampleOrder(), payment({ amountPaidFen: 26866 }));
    const [receipt] = fileInventory(e);
    assert.equal(receipt.returnStatus, '100');
    const info = parseCeb622(verifyCebMessage(receipt.xml, { publicKey: customs.publicKey })).InventoryReturn[0].returnInfo;
    assert.match(info!, /order acturalPaid 278.66 differs from the payment's amountPaid 268.66/);
  });

  test('a payer who is not the buyer, and a missing waybill, are named', () => {
    const infoOf = (e: CustomsEngine) =>
      parseCeb622(verifyCebMessage(fileInventory(e)[0].xml, { publicKey: customs.publicKey })).InventoryReturn[0].returnInfo;
    const noWaybill = engine();
    noWaybill.receive(byMerchant(buildCeb311(sampleOrder())), MERCHANT, T0);
    noWaybill.declarePayment(payment(), T0);
    assert.match(infoOf(noWaybill)!, /missing waybill \(CEB511\)/);
    const otherPayer = engine();
    threeDocuments(otherPayer, sampleOrder(), payment({ payer: { idType: '1', idNumber: '110105194912310021', name: '别人' } }));
    assert.match(infoOf(otherPayer)!, /the buyer differs from the payment's verified payer/);
  });

  test('a rejected list can be corrected and filed again; a second list while one is in process is an error', () => {
    const e = engine((attempt) => (attempt === 0 ? { kind: 'REJECT', reason: 'gmodel does not describe the goods' } : { kind: 'RELEASE' }));
    threeDocuments(e);
    fileInventory(e);
    assert.deepEqual(statuses(e.settle('ORD-2026-0001', T0)), ['100']);
    assert.deepEqual(statuses(fileInventory(e)), ['120']);
    assert.deepEqual(statuses(fileInventory(e)), ['-621001']);
    assert.deepEqual(statuses(e.settle('ORD-2026-0001', T0)), ['399', '800']);
  });
});

describe('inventory paths', () => {
  const run = (path: InventoryPath) => {
    const e = engine(path);
    threeDocuments(e);
    return statuses([...fileInventory(e), ...e.settle('ORD-2026-0001', T0)]);
  };
  test('manual review, inspection then release, detention, return abroad', () => {
    assert.deepEqual(run({ kind: 'MANUAL_REVIEW' }), ['120', '300', '399', '800']);
    assert.deepEqual(run({ kind: 'INSPECT_THEN_RELEASE' }), ['120', '399', '500', '800']);
    assert.deepEqual(run({ kind: 'DETAIN', code: '502' }), ['120', '399', '500', '502']);
    assert.deepEqual(run({ kind: 'RETURN_ABROAD' }), ['120', '399', '500', '700']);
  });
});

describe('filings refused before processing', () => {
  test('a filing signed by another company, tampered, or from an unknown company is refused', () => {
    const e = engine();
    const signed = byMerchant(buildCeb311(sampleOrder()));
    assert.match((e.receive(signed, CARRIER, T0) as { reason: string }).reason, /does not verify/);
    assert.match((e.receive(signed.replace('278.66', '178.66'), MERCHANT, T0) as { reason: string }).reason, /changed after signing/);
    assert.match((e.receive(signed, 'NOBODY', T0) as { reason: string }).reason, /no key registered/);
  });

  test('a second new order with the same orderNo is rejected', () => {
    const e = engine();
    e.receive(byMerchant(buildCeb311(sampleOrder())), MERCHANT, T0);
    const again = e.receive(byMerchant(buildCeb311(sampleOrder())), MERCHANT, T0);
    assert.ok(again.accepted);
    assert.equal(again.receipts[0].returnStatus, '100');
  });
});

describe('returns', () => {
  const released = () => {
    const e = engine();
    threeDocuments(e);
    fileInventory(e);
    e.settle('ORD-2026-0001', T0);
    return e;
  };
  function returnFor(e: CustomsEngine, at: number) {
    const r = sampleReturn();
    r.InvtRefund.InvtRefundHead.invtNo = e.invtNoOf('ORD-2026-0001')!;
    const result = e.receive(byMerchant(buildCeb625(r)), MERCHANT, at);
    if (!result.accepted) assert.fail(result.reason);
    return result;
  }

  test('within 30 days of release: stored and accepted, and the returned value is recorded', () => {
    const e = released();
    const r = returnFor(e, T0 + 29 * DAY);
    assert.ok(r.accepted);
    assert.deepEqual(statuses(r.receipts), ['120', '399']);
    assert.equal(
      parseCeb626(verifyCebMessage(r.receipts[1].xml, { publicKey: customs.publicKey })).InvtRefundReturn[0].returnStatus,
      '399',
    );
    assert.equal(e.returnedValueFen('ORD-2026-0001'), 15000);
  });

  test('after 30 days: rejected, and nothing is recorded as returned', () => {
    const e = released();
    const r = returnFor(e, T0 + RETURN_WINDOW_MS + 1);
    assert.ok(r.accepted);
    assert.deepEqual(statuses(r.receipts), ['100']);
    assert.match(
      parseCeb626(verifyCebMessage(r.receipts[0].xml, { publicKey: customs.publicKey })).InvtRefundReturn[0].returnInfo!,
      /more than 30 days after release/,
    );
    assert.equal(e.returnedValueFen('ORD-2026-0001'), 0);
  });

  test('goods that were never released cannot be returned', () => {
    const e = engine({ kind: 'DETAIN' });
    threeDocuments(e);
    fileInventory(e);
    e.settle('ORD-2026-0001', T0);
    assert.deepEqual(statuses(returnFor(e, T0 + DAY).receipts), ['100']);
  });
});

describe('delivery', () => {
  test('receipts can be delayed, duplicated and reversed, and the plan is reproducible', () => {
    const e = engine({ kind: 'MANUAL_REVIEW' });
    threeDocuments(e);
    const receipts = [...fileInventory(e), ...e.settle('ORD-2026-0001', T0)];
    const plan = deliveryPlan(receipts, { delayMs: 5_000, duplicate: [3], reverse: true, spacingMs: 1_000 });
    assert.deepEqual(
      plan.map((d) => [d.returnStatus, d.afterMs]),
      [
        ['800', 5_000],
        ['800', 5_500],
        ['399', 6_000],
        ['300', 7_000],
        ['120', 8_000],
      ],
    );
    assert.deepEqual(deliveryPlan(receipts, { delayMs: 5_000, duplicate: [3], reverse: true, spacingMs: 1_000 }), plan);
  });
});
