import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BUYER, OTHER_PERSON, declareRequest, paidPayment } from '../support/orders';
import { frozenTime, startSandboxFixture, type SandboxFixture } from '../support/sandbox';

// Step 9, the three-document match at the customs e-port: the merchant's order document, the carrier's
// waybill and Alipay's payment document (the accepted declaration), matched by order number.

let f: SandboxFixture;
before(async () => (f = await startSandboxFixture({ timeSource: frozenTime() })));
after(() => f.close());

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function orderDocument(orderNo: string, over: { fen?: string; buyer?: typeof BUYER } = {}) {
  const buyer = over.buyer ?? BUYER;
  return {
    orderNo,
    ebpCode: 'MC-0001',
    goodsValue: { currency: 'CNY', value: over.fen ?? '19900' },
    buyer: { name: buyer.fullName, idType: buyer.certificateType, idNumber: buyer.certificateNo },
    items: [{ name: 'Milk powder', quantity: 2, value: over.fen ?? '19900' }],
  };
}
const waybill = (orderNo: string) => ({ orderNo, waybillNo: `WB-${orderNo}`, carrier: 'SF Express' });
const clearance = (orderNo: string) => f.helper('POST', '/eport/clearance', { orderNo });

/** A paid payment declared at t0 (default review: accepted 2 minutes later), with the order document and waybill in. */
async function declaredWithDocuments(over: Parameters<typeof orderDocument>[1] = {}) {
  const p = await paidPayment(f);
  const t0 = await f.now();
  await f.client.declare(declareRequest(p.id));
  await f.helper('POST', '/eport/orders', orderDocument(p.id, over));
  await f.helper('POST', '/eport/waybills', waybill(p.id));
  return { ...p, t0 };
}

test('PENDING lists the missing documents; with all three in and the clearance delay passed, RELEASED', async () => {
  const p = await paidPayment(f);
  const t0 = await f.now();
  assert.deepEqual(await clearance(p.id), { orderNo: p.id, status: 'PENDING', missingDocuments: ['ORDER', 'WAYBILL', 'PAYMENT'] });
  await f.client.declare(declareRequest(p.id));
  await f.helper('POST', '/eport/orders', orderDocument(p.id));
  assert.deepEqual((await clearance(p.id)).missingDocuments, ['WAYBILL', 'PAYMENT']);
  await f.helper('POST', '/eport/waybills', waybill(p.id));
  assert.deepEqual((await clearance(p.id)).missingDocuments, ['PAYMENT'], 'the declaration is not accepted yet');

  await f.advance(2 * MIN); // the declaration is accepted
  assert.deepEqual(await clearance(p.id), { orderNo: p.id, status: 'PENDING', missingDocuments: [] });
  await f.advance(MIN - 1);
  assert.equal((await clearance(p.id)).status, 'PENDING', 'the clearance delay has not passed');
  await f.advance(1);
  const released = await clearance(p.id);
  assert.deepEqual(released, { orderNo: p.id, status: 'RELEASED', missingDocuments: [], decidedAt: iso(t0 + 3 * MIN) });
  assert.deepEqual(await clearance(p.id), released, 'the decision stands');
  await assert.rejects(f.helper('POST', '/eport/orders', orderDocument(p.id)), /HTTP 409/);
  const filing = (await f.ledger()).eport.find((e: any) => e.orderNo === p.id);
  assert.equal(filing.decision.status, 'RELEASED');
});

test('an order document whose goods value differs from the declared amount is REJECTED with the reason', async () => {
  const p = await declaredWithDocuments({ fen: '18900' });
  await f.advance(3 * MIN);
  const r = await clearance(p.id);
  assert.equal(r.status, 'REJECTED');
  assert.match(r.reason, /18900/);
  assert.match(r.reason, /19900/);
  assert.equal(r.decidedAt, iso(p.t0 + 3 * MIN));
});

test('a clearance rule REJECT gives REJECTED with its reason', async () => {
  const p = await paidPayment(f);
  await f.customsRules({ clearance: { orders: { [p.id]: { decision: 'REJECT', reason: 'inspection found prohibited goods' } } } });
  await f.client.declare(declareRequest(p.id));
  await f.helper('POST', '/eport/orders', orderDocument(p.id));
  await f.helper('POST', '/eport/waybills', waybill(p.id));
  await f.advance(3 * MIN);
  const r = await clearance(p.id);
  assert.equal(r.status, 'REJECTED');
  assert.equal(r.reason, 'inspection found prohibited goods');
});

test('a buyer ID on the order document that is not the payer is REJECTED', async () => {
  const p = await declaredWithDocuments({ buyer: OTHER_PERSON });
  await f.advance(3 * MIN);
  const r = await clearance(p.id);
  assert.equal(r.status, 'REJECTED');
  assert.equal(r.reason, 'the buyer on the order document is not the payer');
});

test('while customs has rejected the payment document, clearance waits for PAYMENT', async () => {
  const p = await paidPayment(f);
  await f.customsRules({ orders: { [p.id]: { outcomes: [{ decision: 'REJECT', code: '100', description: 'payment data missing' }] } } });
  await f.client.declare(declareRequest(p.id));
  await f.helper('POST', '/eport/orders', orderDocument(p.id));
  await f.helper('POST', '/eport/waybills', waybill(p.id));
  await f.advance(10 * MIN);
  assert.deepEqual(await clearance(p.id), { orderNo: p.id, status: 'PENDING', missingDocuments: ['PAYMENT'] });
});
