import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildCeb311,
  buildCeb312,
  DOCUMENT_RECEIPT_STATUSES,
  parseCeb311,
  parseCeb312,
  receiptStatus,
  safeParse,
  type Ceb311Input,
  type FieldProblem,
} from '../../eport/ceb';
import { GUID, problemsOf, receiptAttrs, sampleOrder } from '../support/ceb-samples';

// CEB311 (order) and CEB312 (its receipt): the field rules, each broken once, and the round trip.

/** The sample order with one change made to its head. */
function orderWith(change: (o: Ceb311Input) => void): Ceb311Input {
  const o = sampleOrder();
  change(o);
  return o;
}

describe('CEB311 order', () => {
  test('a valid order builds in the customs namespace with yuan amounts, and parses back to the same model', () => {
    const xml = buildCeb311(sampleOrder());
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><ceb:CEB311Message xmlns:ceb="http:\/\/www.chinaport.gov.cn\/ceb"/);
    assert.match(xml, /<ceb:acturalPaid>278.66<\/ceb:acturalPaid>/);
    assert.match(xml, /<ceb:discount>5.00<\/ceb:discount>/);
    // The head's children come in the specification's order: amounts, then currency, then the buyer.
    const order = ['goodsValue', 'freight', 'discount', 'taxTotal', 'acturalPaid', 'currency', 'buyerRegNo'].map((f) =>
      xml.indexOf(`<ceb:${f}>`),
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
    assert.ok(xml.indexOf('</ceb:Order>') < xml.indexOf('<ceb:BaseTransfer>'), 'BaseTransfer follows the Order');

    const parsed = parseCeb311(xml);
    assert.equal(parsed.Order.OrderHead.acturalPaid, 27866);
    assert.equal(parsed.Order.OrderList[1].qty, '2');
    assert.equal(parsed.Order.OrderHead.buyerName, '测试买家');
    assert.equal(buildCeb311(parsed), xml, 'parse then build gives the same XML');
  });

  test('acturalPaid must equal goodsValue + freight + taxTotal − discount', () => {
    const problems = problemsOf(() => buildCeb311(orderWith((o) => (o.Order.OrderHead.acturalPaid = 27867))));
    assert.deepEqual(problems, [{ field: 'Order.OrderHead.acturalPaid', rule: 'must equal goodsValue + freight + taxTotal − discount' }]);
    // Where the discount is forgotten in the sum, the rule catches it too.
    const noDiscount = problemsOf(() => buildCeb311(orderWith((o) => (o.Order.OrderHead.acturalPaid = 28366))));
    assert.equal(noDiscount[0].field, 'Order.OrderHead.acturalPaid');
  });

  test('each field rule, broken, is named with its field', () => {
    const cases: [string, (o: Ceb311Input) => void, FieldProblem][] = [
      [
        'required',
        (o) => delete (o.Order.OrderHead as Partial<Ceb311Input['Order']['OrderHead']>).orderNo,
        { field: 'Order.OrderHead.orderNo', rule: 'required' },
      ],
      [
        'C..60',
        (o) => (o.Order.OrderHead.orderNo = 'X'.repeat(61)),
        { field: 'Order.OrderHead.orderNo', rule: 'C..60: at most 60 characters' },
      ],
      [
        'C36 guid',
        (o) => (o.Order.OrderHead.guid = 'short'),
        { field: 'Order.OrderHead.guid', rule: 'C36: 36 characters, upper-case letters, digits, hyphens and underscores' },
      ],
      [
        'C14 time',
        (o) => (o.Order.OrderHead.appTime = '2026-12-01 10:30'),
        { field: 'Order.OrderHead.appTime', rule: 'C14: time as YYYYMMDDhhmmss' },
      ],
      [
        'currency 142',
        (o) => ((o.Order.OrderHead as { currency: string }).currency = 'CNY'),
        { field: 'Order.OrderHead.currency', rule: 'code table: currency must be 142 (CNY)' },
      ],
      [
        'buyerIdType table',
        (o) => ((o.Order.OrderHead as { buyerIdType: string }).buyerIdType = '9'),
        { field: 'Order.OrderHead.buyerIdType', rule: 'code table: one of 1 (ID card), 2 (other)' },
      ],
      [
        'orderType',
        (o) => ((o.Order.OrderHead as { orderType: string }).orderType = 'E'),
        { field: 'Order.OrderHead.orderType', rule: 'code table: orderType must be I (import)' },
      ],
      [
        'N16,2 whole fen',
        (o) => (o.Order.OrderHead.freight = 10.5),
        { field: 'Order.OrderHead.freight', rule: 'N16,2: a non-negative amount in whole fen' },
      ],
      [
        'line total',
        (o) => (o.Order.OrderList[1].totalPrice = 9999),
        { field: 'Order.OrderList.1.totalPrice', rule: 'must equal price × qty (rounded to the fen)' },
      ],
      [
        'gnum order',
        (o) => (o.Order.OrderList[1].gnum = 3),
        { field: 'Order.OrderList.1.gnum', rule: 'must be 2: lines are numbered from 1 in order' },
      ],
      [
        'dxpMode',
        (o) => ((o.BaseTransfer as { dxpMode: string }).dxpMode = 'LXP'),
        { field: 'BaseTransfer.dxpMode', rule: 'code table: dxpMode must be DXP (China E-port data exchange platform)' },
      ],
    ];
    for (const [name, change, expected] of cases) {
      const problems = problemsOf(() => buildCeb311(orderWith(change)));
      assert.ok(
        problems.some((p) => p.field === expected.field && p.rule === expected.rule),
        `${name}: expected ${JSON.stringify(expected)} in ${JSON.stringify(problems)}`,
      );
    }
  });

  test('goodsValue must be the sum of the lines', () => {
    const problems = problemsOf(() =>
      buildCeb311(
        orderWith((o) => {
          o.Order.OrderHead.goodsValue = 26000;
          o.Order.OrderHead.acturalPaid = 28866;
        }),
      ),
    );
    assert.deepEqual(problems, [{ field: 'Order.OrderHead.goodsValue', rule: 'must equal the sum of the OrderList totalPrice' }]);
  });

  test('the parser applies the same rules to incoming XML, with the wire formats', () => {
    const xml = buildCeb311(sampleOrder());
    const cases: [string, string, FieldProblem][] = [
      [
        'three decimals',
        xml.replace('<ceb:freight>10.00<', '<ceb:freight>10.001<'),
        { field: 'Order.OrderHead.freight', rule: 'N16,2: a decimal amount in yuan with at most 2 decimals' },
      ],
      [
        'negative amount',
        xml.replace('<ceb:discount>5.00<', '<ceb:discount>-5.00<'),
        { field: 'Order.OrderHead.discount', rule: 'N16,2: a decimal amount in yuan with at most 2 decimals' },
      ],
      [
        'empty required',
        xml.replace(/<ceb:buyerName>[^<]*</, '<ceb:buyerName><'),
        { field: 'Order.OrderHead.buyerName', rule: 'required' },
      ],
      ['missing BaseTransfer', xml.replace(/<ceb:BaseTransfer>.*<\/ceb:BaseTransfer>/, ''), { field: 'BaseTransfer', rule: 'required' }],
      ['missing guid attribute', xml.replace(` guid="${GUID(1)}"`, ''), { field: 'guid', rule: 'required' }],
    ];
    for (const [name, bad, expected] of cases) {
      const problems = problemsOf(() => parseCeb311(bad));
      assert.ok(
        problems.some((p) => p.field === expected.field && p.rule === expected.rule),
        `${name}: ${JSON.stringify(problems)}`,
      );
    }
  });

  test('one Order per message: a second Order is refused, not silently dropped', () => {
    const xml = buildCeb311(sampleOrder());
    const order = /<ceb:Order>.*<\/ceb:Order>/.exec(xml)![0];
    const problems = problemsOf(() => parseCeb311(xml.replace(order, order + order)));
    assert.deepEqual(problems, [{ field: 'Order', rule: 'one Order per message' }]);
  });

  test('the error message names the message, the field and the rule', () => {
    assert.throws(
      () => buildCeb311(orderWith((o) => (o.Order.OrderHead.acturalPaid = 1))),
      /CEB311Message is invalid: Order.OrderHead.acturalPaid: must equal goodsValue \+ freight \+ taxTotal − discount/,
    );
  });
});

describe('CEB312 order receipt', () => {
  const receipt = (returnStatus: string, returnInfo?: string) => ({
    ...receiptAttrs,
    OrderReturn: [
      {
        guid: GUID(21),
        ebpCode: '3301964J31',
        ebcCode: '3301964J31',
        orderNo: 'ORD-2026-0001',
        returnStatus,
        returnTime: '20261201103500123',
        returnInfo,
      },
    ],
  });

  test('every status of the table builds and parses; the table says what each means', () => {
    assert.deepEqual(
      DOCUMENT_RECEIPT_STATUSES.map((s) => s.code),
      ['2', '3', '4', '100', '120'],
    );
    for (const s of DOCUMENT_RECEIPT_STATUSES) {
      const parsed = parseCeb312(buildCeb312(receipt(s.code, 'why')));
      assert.equal(parsed.OrderReturn[0].returnStatus, s.code);
    }
    assert.equal(receiptStatus(DOCUMENT_RECEIPT_STATUSES, '120')?.kind, 'stored');
    assert.equal(receiptStatus(DOCUMENT_RECEIPT_STATUSES, '100')?.kind, 'rejected');
    assert.equal(receiptStatus(DOCUMENT_RECEIPT_STATUSES, '-301001')?.kind, 'error');
    assert.equal(receiptStatus(DOCUMENT_RECEIPT_STATUSES, '800'), undefined, '800 is an inventory state, not an order receipt status');
  });

  test('a status outside the table is refused, naming the table', () => {
    const problems = problemsOf(() => buildCeb312(receipt('800', 'x')));
    assert.deepEqual(problems, [
      { field: 'OrderReturn.0.returnStatus', rule: 'code table: one of 2, 3, 4, 100, 120, or a negative processing-error code' },
    ]);
  });

  test('a rejection or a processing error must say why in returnInfo', () => {
    for (const code of ['100', '4', '-301001']) {
      const problems = problemsOf(() => buildCeb312(receipt(code)));
      assert.deepEqual(problems, [{ field: 'OrderReturn.0.returnInfo', rule: `required when returnStatus is ${code}: it says why` }]);
    }
    assert.doesNotThrow(() => buildCeb312(receipt('120')));
  });

  test('several returns in one receipt parse as a list', () => {
    const two = { ...receiptAttrs, OrderReturn: [...receipt('2').OrderReturn, ...receipt('120').OrderReturn] };
    assert.deepEqual(
      parseCeb312(buildCeb312(two)).OrderReturn.map((r) => r.returnStatus),
      ['2', '120'],
    );
  });
});

test('safeParse returns the problems or the refusal instead of throwing', () => {
  const xml = buildCeb311(sampleOrder());
  const ok = safeParse(parseCeb311, xml);
  assert.ok(ok.success && ok.data.Order.OrderHead.orderNo === 'ORD-2026-0001');
  const bad = safeParse(parseCeb311, xml.replace('<ceb:acturalPaid>278.66<', '<ceb:acturalPaid>278.67<'));
  assert.deepEqual(bad, {
    success: false,
    problems: [{ field: 'Order.OrderHead.acturalPaid', rule: 'must equal goodsValue + freight + taxTotal − discount' }],
  });
  const refused = safeParse(parseCeb311, `<!DOCTYPE x>${xml}`);
  assert.deepEqual(refused, { success: false, problems: [], refused: 'a DTD (<!DOCTYPE>) is not allowed' });
});
