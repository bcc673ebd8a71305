import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { parseCeb311, parseCeb511, parseCeb621, parseCeb622, parseSigned, verifyCebMessage } from '../../eport/ceb';
import { CustomsFilingError, filingGuid, signedFiling, type FilingCompany } from '../../eport/filings';
import { CustomsEngine } from '../../sandbox/customs/engine';
import { customsFiling, FILING_PAID_FEN, FILING_TAX_FEN, filingOrder } from '../support/ceb-filings';
import { BUYER } from '../support/orders';

// eport/filings.ts: a CustomsFiling becomes signed CEB messages that parse, verify, and that the sandbox's
// customs matches (three documents and the list), with the tax, the paid amount and the guids right.

const enterprise = generateKeyPairSync('rsa', { modulusLength: 2048 });
const customs = generateKeyPairSync('rsa', { modulusLength: 2048 });
const COP = '3301964J31';
const company: FilingCompany = {
  copCode: COP,
  copName: 'Sandbox Merchant Ltd',
  dxpId: 'DXPENT0000000001',
  signingKey: { privateKey: enterprise.privateKey, keyName: 'test-enterprise' },
  customsCode: '2991',
  defaultItemWeightKg: '0.5',
};
const T0 = Date.UTC(2026, 11, 1, 3, 0, 0);

function engine() {
  return new CustomsEngine({
    signingKey: { privateKey: customs.privateKey, keyName: 'customs' },
    keyOf: (code) => (code === COP ? enterprise.publicKey : undefined),
    pathFor: () => ({ kind: 'RELEASE' }),
  });
}

function payment(e: CustomsEngine, orderNo: string, paymentId: string, amountPaidFen: number) {
  e.declarePayment(
    {
      orderNo,
      payCode: '31222699S7',
      payName: 'Alipay',
      payTransactionId: paymentId,
      amountPaidFen,
      payer: { idType: '1', idNumber: BUYER.certificateNo, name: BUYER.fullName },
      ebpCode: 'MC-0001',
      ebpName: 'Example Merchant Ltd',
    },
    T0,
  );
}

const signed = (xml: string) => verifyCebMessage(xml, { publicKey: enterprise.publicKey });

describe('a filing builds the three documents customs matches', () => {
  test('order, waybill and list parse, verify and pass the three-document match (120 stored)', () => {
    const filing = customsFiling('ORD-F1', '2026PAYMENT0001');
    const e = engine();
    payment(e, 'ORD-F1', '2026PAYMENT0001', FILING_PAID_FEN);
    for (const doc of ['ORDER', 'WAYBILL'] as const) {
      const r = e.receive(signedFiling(doc, filing, company).xml, COP, T0);
      assert.ok(r.accepted && r.receipts[0].returnStatus === '120', JSON.stringify(r));
    }
    const list = e.receive(signedFiling('INVENTORY', filing, company).xml, COP, T0);
    assert.ok(list.accepted);
    const receipt = parseCeb622(list.receipts[0].xml).InventoryReturn[0];
    assert.equal(receipt.returnStatus, '120', receipt.returnInfo);
    assert.deepEqual(
      e.settle('ORD-F1', T0 + 1).map((r) => r.returnStatus),
      ['399', '800'],
    );
  });

  test('taxTotal is orderTax over the items (GENERAL when absent) and freight; acturalPaid what was paid', () => {
    const head = parseCeb311(signed(signedFiling('ORDER', customsFiling('ORD-F2', 'P2'), company).xml)).Order.OrderHead;
    assert.equal(head.taxTotal, FILING_TAX_FEN);
    assert.equal(head.goodsValue, 25_000);
    assert.equal(head.freight, 1_000);
    assert.equal(head.acturalPaid, FILING_PAID_FEN);
    assert.equal(head.payTransactionId, 'P2');
    assert.equal(head.buyerIdNumber, BUYER.certificateNo);
    assert.equal(head.appTime, '20261201103000', 'paidAt in China Standard Time');
  });

  test('an amount paid that is not goods + freight + tax is a final error naming acturalPaid', () => {
    const filing = customsFiling('ORD-F3', 'P3', { payment: { paymentId: 'P3', paidAt: '2026-12-01T02:30:00Z', amountFen: 25_000 } });
    assert.throws(
      () => signedFiling('ORDER', filing, company),
      (e: unknown) => e instanceof CustomsFilingError && e.code === 'ACTURAL_PAID_MISMATCH' && /acturalPaid/.test(e.message),
    );
  });

  test('a split part files its share of goods, freight and tax, and customs matches it with the part declared', () => {
    const order = filingOrder('ORD-F4', {
      splitParts: [
        { referenceOrderId: 'ORD-F4-A', amountFen: 14_183 },
        { referenceOrderId: 'ORD-F4-B', amountFen: 14_183 },
      ],
    });
    const filing = customsFiling('ORD-F4-A', 'P4', { order, part: { amountFen: 14_183, index: 0, of: 2 } });
    const head = parseCeb311(signed(signedFiling('ORDER', filing, company).xml)).Order.OrderHead;
    assert.deepEqual([head.goodsValue, head.freight, head.taxTotal, head.acturalPaid], [12_500, 500, 1_183, 14_183]);
    const e = engine();
    payment(e, 'ORD-F4-A', 'P4', 14_183);
    for (const doc of ['ORDER', 'WAYBILL'] as const) assert.ok(e.receive(signedFiling(doc, filing, company).xml, COP, T0).accepted);
    const list = e.receive(signedFiling('INVENTORY', filing, company).xml, COP, T0);
    assert.ok(list.accepted);
    assert.equal(parseCeb622(list.receipts[0].xml).InventoryReturn[0].returnStatus, '120');
  });
});

describe('deterministic, corrected, complete', () => {
  test('the same filing gives the same message; the next attempt another guid and appType 2', () => {
    const filing = customsFiling('ORD-F5', 'P5');
    const a = signedFiling('INVENTORY', filing, company);
    const b = signedFiling('INVENTORY', structuredClone(filing), company);
    assert.equal(a.xml, b.xml);
    assert.equal(a.guid, filingGuid('ORD-F5', 'INVENTORY', 0));
    assert.match(a.guid, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    const next = signedFiling('INVENTORY', { ...filing, attempt: 1 }, company);
    assert.notEqual(next.guid, a.guid);
    const m = parseCeb621(signed(next.xml));
    assert.equal(m.guid, next.guid);
    assert.equal(m.Inventory.InventoryHead.appType, '2');
    assert.equal(parseCeb621(signed(a.xml)).Inventory.InventoryHead.appType, '1');
    assert.notEqual(signedFiling('ORDER', filing, company).guid, a.guid, 'each document its own guid');
  });

  test("the latest correction of an item's hsCode is the list's gcode", () => {
    const filing = customsFiling('ORD-F6', 'P6', {
      corrections: [
        { sku: 'SKU-TEA', hsCode: '0902201000' },
        { sku: 'SKU-TEA', hsCode: '0902300000', originCountry: '116' },
      ],
    });
    const lines = parseCeb621(signed(signedFiling('INVENTORY', filing, company).xml)).Inventory.InventoryList;
    assert.deepEqual(
      lines.map((l) => [l.itemNo, l.gcode, l.country]),
      [
        ['SKU-CREAM', '3304990099', '116'],
        ['SKU-TEA', '0902300000', '116'],
      ],
    );
  });

  test('a field customs requires and the order lacks is a final error naming it', () => {
    const noConsignee = customsFiling('ORD-F7', 'P7', { order: filingOrder('ORD-F7', { consignee: undefined }) });
    assert.throws(() => signedFiling('ORDER', noConsignee, company), /consignee: the order has no consignee/);
    const items = filingOrder('ORD-F7').items.map((i) => ({ ...i, hsCode: i.sku === 'SKU-TEA' ? undefined : i.hsCode }));
    const noHs = customsFiling('ORD-F7', 'P7', { order: filingOrder('ORD-F7', { items }) });
    assert.throws(() => signedFiling('INVENTORY', noHs, company), /items\[1\]\.hsCode: item SKU-TEA has no hsCode/);
    const noCarrier = customsFiling('ORD-F7', 'P7', {
      order: filingOrder('ORD-F7', { logistics: { carrier: 'X', waybillNo: 'W1' } }),
    });
    assert.throws(() => signedFiling('WAYBILL', noCarrier, company), /logistics\.carrierCustomsCode/);
  });

  test('the waybill is filed by the agent under the carrier code, and the list names the same waybill', () => {
    const filing = customsFiling('ORD-F8', 'P8');
    const waybill = parseCeb511(signed(signedFiling('WAYBILL', filing, company).xml));
    assert.equal(waybill.BaseTransfer.copCode, COP);
    assert.equal(waybill.Logistics.LogisticsHead.logisticsCode, '3301980101');
    const head = parseSigned(signedFiling('INVENTORY', filing, company).xml, { publicKey: enterprise.publicKey }, parseCeb621).Inventory
      .InventoryHead;
    assert.equal(head.logisticsNo, waybill.Logistics.LogisticsHead.logisticsNo);
    assert.equal(head.agentCode, COP);
  });
});
