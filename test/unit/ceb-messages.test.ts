import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildCeb411,
  buildCeb412,
  buildCeb511,
  buildCeb512,
  buildCeb621,
  buildCeb622,
  buildCeb625,
  buildCeb626,
  INVENTORY_RECEIPT_STATUSES,
  isReleased,
  messageTypeOf,
  parseCeb411,
  parseCeb412,
  parseCeb511,
  parseCeb512,
  parseCeb621,
  parseCeb622,
  parseCeb625,
  parseCeb626,
  receiptStatus,
  REFUND_RECEIPT_STATUSES,
  type Ceb621Input,
  type FieldProblem,
} from '../../eport/ceb';
import { GUID, problemsOf, receiptAttrs, sampleInventory, samplePayment, sampleReturn, sampleWaybill } from '../support/ceb-samples';

// CEB411/412 (payment), CEB511/512 (waybill), CEB621/622 (inventory list) and CEB625/626 (return):
// valid messages round trip, and the field rules that matter to each are refused by name.

function assertProblem(problems: FieldProblem[], expected: FieldProblem) {
  assert.ok(
    problems.some((p) => p.field === expected.field && p.rule === expected.rule),
    `expected ${JSON.stringify(expected)} in ${JSON.stringify(problems)}`,
  );
}

describe('round trips', () => {
  const cases = [
    ['CEB411Message', () => buildCeb411(samplePayment()), parseCeb411, buildCeb411],
    ['CEB511Message', () => buildCeb511(sampleWaybill()), parseCeb511, buildCeb511],
    ['CEB621Message', () => buildCeb621(sampleInventory()), parseCeb621, buildCeb621],
    ['CEB625Message', () => buildCeb625(sampleReturn()), parseCeb625, buildCeb625],
  ] as const;
  for (const [type, build, parse, rebuild] of cases) {
    test(`${type}: build, parse, build again gives the same XML`, () => {
      const xml = build();
      assert.equal(messageTypeOf(xml), type);
      assert.ok(xml.includes(`<ceb:BaseTransfer><ceb:copCode>`), 'BaseTransfer is written');
      const parsed = parse(xml);
      assert.equal((rebuild as (m: typeof parsed) => string)(parsed), xml);
    });
  }

  test('amounts and quantities keep their values through the wire formats', () => {
    const payment = parseCeb411(buildCeb411(samplePayment()));
    assert.equal(payment.Payment.PaymentHead.amountPaid, 27866);
    const waybill = parseCeb511(buildCeb511(sampleWaybill()));
    assert.equal(waybill.Logistics.LogisticsHead.weight, '0.85');
    assert.equal(waybill.Logistics.LogisticsHead.packNo, 1);
    const inventory = parseCeb621(buildCeb621(sampleInventory()));
    assert.equal(inventory.Inventory.InventoryList[0].price, 15000);
    assert.equal(inventory.Inventory.InventoryList[1].qty1, '0.2');
  });
});

describe('field rules', () => {
  test('CEB411: the payer certificate type and the amount format', () => {
    const bad = samplePayment();
    (bad.Payment.PaymentHead as { payerIdType: string }).payerIdType = 'ID_CARD';
    assertProblem(
      problemsOf(() => buildCeb411(bad)),
      { field: 'Payment.PaymentHead.payerIdType', rule: 'code table: one of 1 (ID card), 2 (other)' },
    );
    const xml = buildCeb411(samplePayment()).replace('<ceb:amountPaid>278.66<', '<ceb:amountPaid>278,66<');
    assertProblem(
      problemsOf(() => parseCeb411(xml)),
      {
        field: 'Payment.PaymentHead.amountPaid',
        rule: 'N16,2: a decimal amount in yuan with at most 2 decimals',
      },
    );
  });

  test('CEB511: the weight is N19,5 and greater than 0; packNo a whole number', () => {
    const bad = sampleWaybill();
    bad.Logistics.LogisticsHead.weight = '0.123456';
    bad.Logistics.LogisticsHead.packNo = 0;
    const problems = problemsOf(() => buildCeb511(bad));
    assertProblem(problems, {
      field: 'Logistics.LogisticsHead.weight',
      rule: 'N19,5: a decimal with at most 14 integer digits and 5 decimals',
    });
    assertProblem(problems, { field: 'Logistics.LogisticsHead.packNo', rule: 'N9: a whole number from 1' });
    const zero = sampleWaybill();
    zero.Logistics.LogisticsHead.weight = '0';
    assertProblem(
      problemsOf(() => buildCeb511(zero)),
      {
        field: 'Logistics.LogisticsHead.weight',
        rule: 'N19,5: a decimal with at most 14 integer digits and 5 decimals, greater than 0',
      },
    );
  });

  test('CEB621: trade mode, customs code, HS code, dates, line totals, and the account book of bonded imports', () => {
    const change = (f: (m: Ceb621Input) => void) => {
      const m = sampleInventory();
      f(m);
      return problemsOf(() => buildCeb621(m));
    };
    assertProblem(
      change((m) => ((m.Inventory.InventoryHead as { tradeMode: string }).tradeMode = '0110')),
      {
        field: 'Inventory.InventoryHead.tradeMode',
        rule: 'code table: one of 9610 (direct-purchase import (直购进口)), 1210 (bonded import (保税进口))',
      },
    );
    assertProblem(
      change((m) => (m.Inventory.InventoryHead.customsCode = '29')),
      { field: 'Inventory.InventoryHead.customsCode', rule: 'C4: a four-digit customs district code' },
    );
    assertProblem(
      change((m) => (m.Inventory.InventoryList[0].gcode = '3304.99')),
      { field: 'Inventory.InventoryList.0.gcode', rule: 'C10: a ten-digit HS code' },
    );
    assertProblem(
      change((m) => (m.Inventory.InventoryHead.declTime = '20261332')),
      { field: 'Inventory.InventoryHead.declTime', rule: 'C8: date as YYYYMMDD' },
    );
    assertProblem(
      change((m) => (m.Inventory.InventoryList[1].totalPrice = 10001)),
      { field: 'Inventory.InventoryList.1.totalPrice', rule: 'must equal price × qty (rounded to the fen)' },
    );
    assertProblem(
      change((m) => ((m.Inventory.InventoryHead as { tradeMode: string }).tradeMode = '1210')),
      { field: 'Inventory.InventoryHead.emsNo', rule: 'required when tradeMode is 1210 (bonded import)' },
    );
    assertProblem(
      change((m) => (m.Inventory.InventoryList = [])),
      { field: 'Inventory.InventoryList', rule: 'at least one InventoryList item' },
    );
  });

  test('CEB621: a quantity with five decimals prices to the fen, rounded half up', () => {
    const m = sampleInventory();
    m.Inventory.InventoryList[1].qty = '1.00005'; // 5000 fen × 1.00005 = 5000.25 fen → 5000
    m.Inventory.InventoryList[1].totalPrice = 5000;
    assert.doesNotThrow(() => buildCeb621(m));
    m.Inventory.InventoryList[1].qty = '1.0001'; // 5000.5 fen → 5001 (half up)
    m.Inventory.InventoryList[1].totalPrice = 5001;
    assert.doesNotThrow(() => buildCeb621(m));
    m.Inventory.InventoryList[1].totalPrice = 5000;
    assert.throws(() => buildCeb621(m), /InventoryList.1.totalPrice: must equal price × qty/);
  });

  test('CEB625: the released list number and the reason are required; returned lines do not repeat', () => {
    const m = sampleReturn();
    m.InvtRefund.InvtRefundHead.invtNo = '2991';
    m.InvtRefund.InvtRefundHead.reason = '';
    m.InvtRefund.InvtRefundList.push({ ...m.InvtRefund.InvtRefundList[0] });
    const problems = problemsOf(() => buildCeb625(m));
    assertProblem(problems, { field: 'InvtRefund.InvtRefundHead.invtNo', rule: 'C18: exactly 18 characters' });
    assertProblem(problems, { field: 'InvtRefund.InvtRefundHead.reason', rule: 'required' });
    assertProblem(problems, { field: 'InvtRefund.InvtRefundList.1.gnum', rule: 'must not repeat' });
  });
});

describe('receipts', () => {
  test('CEB412 and CEB512 round trip with the document table', () => {
    const payment = {
      ...receiptAttrs,
      PaymentReturn: [{ guid: GUID(30), payCode: '31222699S7', payTransactionId: 'T1', returnStatus: '120', returnTime: '20261201103500' }],
    };
    assert.equal(parseCeb412(buildCeb412(payment)).PaymentReturn[0].returnStatus, '120');
    const waybill = {
      ...receiptAttrs,
      LogisticsReturn: [
        {
          guid: GUID(31),
          logisticsCode: '3301980101',
          logisticsNo: 'SE1000000001',
          returnStatus: '100',
          returnTime: '20261201103500',
          returnInfo: 'consignee differs from the order',
        },
      ],
    };
    assert.equal(parseCeb512(buildCeb512(waybill)).LogisticsReturn[0].returnInfo, 'consignee differs from the order');
  });

  test('CEB622 carries every clearance state of the inventory table', () => {
    const codes = INVENTORY_RECEIPT_STATUSES.map((s) => s.code);
    assert.deepEqual(codes, ['2', '3', '4', '100', '120', '300', '399', '500', '501', '502', '503', '599', '700', '800', '899']);
    for (const code of [...codes, '-621003']) {
      const receipt = {
        ...receiptAttrs,
        InventoryReturn: [
          {
            guid: GUID(40),
            customsCode: '2991',
            ebpCode: '3301964J31',
            ebcCode: '3301964J31',
            agentCode: '3301964J31',
            copNo: 'INV-2026-0001',
            preNo: 'B20261201000000001',
            invtNo: code === '2' ? undefined : '299120261000000001',
            returnStatus: code,
            returnTime: '20261201120000',
            returnInfo: `state ${code}`,
          },
        ],
      };
      const parsed = parseCeb622(buildCeb622(receipt)).InventoryReturn[0];
      assert.equal(parsed.returnStatus, code);
      assert.equal(parsed.invtNo, code === '2' ? undefined : '299120261000000001');
    }
    assert.equal(receiptStatus(INVENTORY_RECEIPT_STATUSES, '500')?.kind, 'inspection');
    assert.equal(receiptStatus(INVENTORY_RECEIPT_STATUSES, '502')?.kind, 'detained');
    assert.equal(receiptStatus(INVENTORY_RECEIPT_STATUSES, '700')?.kind, 'returned');
    assert.equal(receiptStatus(INVENTORY_RECEIPT_STATUSES, '-1')?.kind, 'error');
    assert.ok(isReleased('800') && isReleased('899') && !isReleased('399') && !isReleased('500'));
  });

  test('CEB626 takes the return table only', () => {
    const receipt = (returnStatus: string) => ({
      ...receiptAttrs,
      InvtRefundReturn: [
        {
          guid: GUID(50),
          customsCode: '2991',
          ebpCode: '3301964J31',
          ebcCode: '3301964J31',
          agentCode: '3301964J31',
          invtNo: '299120261000000001',
          returnStatus,
          returnTime: '20261210100000',
          returnInfo: 'x',
        },
      ],
    });
    assert.equal(parseCeb626(buildCeb626(receipt('399'))).InvtRefundReturn[0].returnStatus, '399');
    assert.equal(receiptStatus(REFUND_RECEIPT_STATUSES, '399')?.final, true);
    assert.deepEqual(
      problemsOf(() => buildCeb626(receipt('800'))),
      [
        {
          field: 'InvtRefundReturn.0.returnStatus',
          rule: 'code table: one of 2, 3, 4, 100, 120, 399, or a negative processing-error code',
        },
      ],
    );
  });
});
