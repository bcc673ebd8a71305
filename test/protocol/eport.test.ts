import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EPortClient, EPortError, type OrderDocumentInput } from '../../eport/client';
import { BUYER, OTHER_PERSON, declareRequest, paidPayment } from '../support/orders';
import { frozenTime, startSandboxFixture, type SandboxFixture } from '../support/sandbox';

// Step 9, the three-document match at the customs e-port: the merchant's order document, the carrier's
// waybill and Alipay's payment document (the accepted declaration), matched by order number.

let f: SandboxFixture;
/** The worker's e-port client, on the sandbox's e-port. */
let eport: EPortClient;
before(async () => {
  f = await startSandboxFixture({ timeSource: frozenTime() });
  eport = new EPortClient(f.sandbox.url);
});
after(() => f.close());

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function orderDocument(orderNo: string, over: { fen?: number; buyer?: typeof BUYER } = {}): OrderDocumentInput {
  const fen = over.fen ?? 19_900;
  return {
    orderNo,
    ebpCode: 'MC-0001',
    goodsValueFen: fen,
    buyer: over.buyer ?? BUYER,
    items: [{ name: 'Milk powder', quantity: 2, valueFen: fen }],
  };
}
const waybill = (orderNo: string) => ({ orderNo, waybillNo: `WB-${orderNo}`, carrier: 'SF Express' });
const clearance = (orderNo: string) => eport.clearance(orderNo);

/** A paid payment declared at t0 (default review: accepted 2 minutes later), with the order document and waybill in. */
async function declaredWithDocuments(over: Parameters<typeof orderDocument>[1] = {}) {
  const p = await paidPayment(f);
  const t0 = await f.helpers.now();
  await f.client.declare(declareRequest(p.id));
  await eport.submitOrderDocument(orderDocument(p.id, over));
  await eport.submitWaybill(waybill(p.id));
  return { ...p, t0 };
}

test('PENDING lists the missing documents; with all three in and the clearance delay passed, RELEASED', async () => {
  const p = await paidPayment(f);
  const t0 = await f.helpers.now();
  assert.deepEqual(await clearance(p.id), { orderNo: p.id, status: 'PENDING', missingDocuments: ['ORDER', 'WAYBILL', 'PAYMENT'] });
  await f.client.declare(declareRequest(p.id));
  await eport.submitOrderDocument(orderDocument(p.id));
  assert.deepEqual((await clearance(p.id)).missingDocuments, ['WAYBILL', 'PAYMENT']);
  await eport.submitWaybill(waybill(p.id));
  assert.deepEqual((await clearance(p.id)).missingDocuments, ['PAYMENT'], 'the declaration is not accepted yet');

  await f.helpers.advance(2 * MIN); // the declaration is accepted
  assert.deepEqual(await clearance(p.id), { orderNo: p.id, status: 'PENDING', missingDocuments: [] });
  await f.helpers.advance(MIN - 1);
  assert.equal((await clearance(p.id)).status, 'PENDING', 'the clearance delay has not passed');
  await f.helpers.advance(1);
  const released = await clearance(p.id);
  assert.deepEqual(released, { orderNo: p.id, status: 'RELEASED', missingDocuments: [], decidedAt: iso(t0 + 3 * MIN) });
  assert.deepEqual(await clearance(p.id), released, 'the decision stands');
  await assert.rejects(
    eport.submitOrderDocument(orderDocument(p.id)),
    (e) => e instanceof EPortError && e.code === 'EPORT_ALREADY_DECIDED',
  );
  const filing = (await f.helpers.ledger()).eport.find((e) => e.orderNo === p.id);
  assert.equal(filing?.decision?.status, 'RELEASED');
});

test('an order document whose goods value differs from the declared amount is REJECTED with the reason', async () => {
  const p = await declaredWithDocuments({ fen: 18_900 });
  await f.helpers.advance(3 * MIN);
  const r = await clearance(p.id);
  assert.equal(r.status, 'REJECTED');
  assert.match(r.reason ?? '', /18900/);
  assert.match(r.reason ?? '', /19900/);
  assert.equal(r.decidedAt, iso(p.t0 + 3 * MIN));
});

test('a clearance rule REJECT gives REJECTED with its reason', async () => {
  const p = await paidPayment(f);
  await f.helpers.customsRules({ clearance: { orders: { [p.id]: { decision: 'REJECT', reason: 'inspection found prohibited goods' } } } });
  await f.client.declare(declareRequest(p.id));
  await eport.submitOrderDocument(orderDocument(p.id));
  await eport.submitWaybill(waybill(p.id));
  await f.helpers.advance(3 * MIN);
  const r = await clearance(p.id);
  assert.equal(r.status, 'REJECTED');
  assert.equal(r.reason, 'inspection found prohibited goods');
});

test('a buyer ID on the order document that is not the payer is REJECTED', async () => {
  const p = await declaredWithDocuments({ buyer: OTHER_PERSON });
  await f.helpers.advance(3 * MIN);
  const r = await clearance(p.id);
  assert.equal(r.status, 'REJECTED');
  assert.equal(r.reason, 'the buyer on the order document is not the payer');
});

test('while customs has rejected the payment document, clearance waits for PAYMENT', async () => {
  const p = await paidPayment(f);
  await f.helpers.customsRules({
    orders: { [p.id]: { outcomes: [{ decision: 'REJECT', code: '100', description: 'payment data missing' }] } },
  });
  await f.client.declare(declareRequest(p.id));
  await eport.submitOrderDocument(orderDocument(p.id));
  await eport.submitWaybill(waybill(p.id));
  await f.helpers.advance(10 * MIN);
  assert.deepEqual(await clearance(p.id), { orderNo: p.id, status: 'PENDING', missingDocuments: ['PAYMENT'] });
});
