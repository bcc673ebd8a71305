import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APIS, MessageValidationError, type DeclarationRecord } from '../../alipay-plus';
import { declareRequest, paidPayment, uniqueId } from '../support/orders';
import { frozenTime, startSandboxFixture, type SandboxFixture } from '../support/sandbox';
import { assertSignedResult, rawCall } from '../support/wire';

// inquireDeclarationRequests and the customs review as the sandbox clock passes. The clock stands still
// unless advanced, so every status change is checked at its exact boundary.

let f: SandboxFixture;
before(async () => (f = await startSandboxFixture({ timeSource: frozenTime() })));
after(() => f.close());

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function record(id: string): Promise<DeclarationRecord> {
  const r = await f.client.inquireDeclarationRequests({ declarationRequestIds: [id] });
  assert.deepEqual(r.declarationRequestsNotFound, []);
  assert.equal(r.declarationRecords.length, 1);
  return r.declarationRecords[0];
}
const statusOf = (r: DeclarationRecord) => [
  r.declarationRequestStatus,
  r.customsResultCode,
  r.customsResultDescription,
  r.customsResultReturnedTime,
];

test('1 to 10 ids: 11 or 0 are refused by the client schema, 11 sent raw is PARAM_ILLEGAL, unknown ids come back in declarationRequestsNotFound', async () => {
  const eleven = Array.from({ length: 11 }, (_, i) => `UNKNOWN-${i}`);
  await assert.rejects(f.client.inquireDeclarationRequests({ declarationRequestIds: eleven }), (e: unknown) => {
    assert.ok(e instanceof MessageValidationError);
    assert.match(e.message, /declarationRequestIds must hold at most 10 ids/);
    return true;
  });
  await assert.rejects(f.client.inquireDeclarationRequests({ declarationRequestIds: [] }), /declarationRequestIds must hold at least 1 id/);
  const path = APIS.inquireDeclarationRequests.path;
  const raw = assertSignedResult(
    await rawCall(f.sandbox.url, { path, body: { declarationRequestIds: eleven } }),
    path,
    'F',
    'PARAM_ILLEGAL',
  );
  assert.match(raw.result.resultMessage, /declarationRequestIds/);

  const p = await paidPayment(f);
  await f.client.declare(declareRequest(p.id));
  const ids = [...eleven.slice(0, 4), `${p.id}-D1`, ...eleven.slice(4, 9)];
  assert.equal(ids.length, 10);
  const r = await f.client.inquireDeclarationRequests({ declarationRequestIds: ids });
  assert.deepEqual(
    r.declarationRecords.map((x) => x.customsDeclarationRequestId),
    [`${p.id}-D1`],
  );
  assert.deepEqual(
    r.declarationRequestsNotFound,
    ids.filter((id) => id !== `${p.id}-D1`),
  );
});

test('WAITING_FOR_PROCESSING (2) -> IN_PROCESS (3) -> CUSTOMS_ACCEPT_SUCCESS (399) as the clock passes processingAfterMs and decisionAfterMs', async () => {
  const p = await paidPayment(f);
  await f.helpers.customsRules({
    orders: { [p.id]: { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 1_000, decisionAfterMs: 60_000 } },
  });
  const t0 = await f.helpers.now();
  const declared = await f.client.declare(declareRequest(p.id));
  const id = `${p.id}-D1`;

  let r = await record(id);
  assert.deepEqual(statusOf(r), ['WAITING_FOR_PROCESSING', '2', undefined, undefined]);
  assert.equal(r.pspDeclarationRequestId, declared.pspDeclarationRequestId);
  assert.equal(r.lastModifiedTime, iso(t0));
  await f.helpers.advance(999);
  assert.deepEqual(statusOf(await record(id)), ['WAITING_FOR_PROCESSING', '2', undefined, undefined]);
  await f.helpers.advance(1);
  assert.deepEqual(statusOf(await record(id)), ['IN_PROCESS', '3', undefined, undefined]);
  await f.helpers.advance(58_999);
  assert.deepEqual(statusOf(await record(id)), ['IN_PROCESS', '3', undefined, undefined]);
  await f.helpers.advance(1);
  r = await record(id);
  assert.deepEqual(statusOf(r), ['CUSTOMS_ACCEPT_SUCCESS', '399', 'finalised', iso(t0 + 60_000)]);
  assert.deepEqual(r.declarationAmount, { currency: 'CNY', value: '19900' });
});

test('a rejection rule gives customsResultCode 100 with its description; a negative code is a processing exception', async () => {
  const p = await paidPayment(f);
  const q = await paidPayment(f);
  await f.helpers.customsRules({
    orders: {
      [p.id]: {
        outcomes: [{ decision: 'REJECT', code: '100', description: 'payment data missing' }],
        processingAfterMs: 1_000,
        decisionAfterMs: 60_000,
      },
      [q.id]: {
        outcomes: [{ decision: 'REJECT', code: '-3', description: 'customs system exception' }],
        processingAfterMs: 0,
        decisionAfterMs: 10_000,
      },
    },
  });
  const t0 = await f.helpers.now();
  await f.client.declare(declareRequest(p.id));
  await f.client.declare(declareRequest(q.id));
  await f.helpers.advance(59_999);
  assert.deepEqual(statusOf(await record(`${p.id}-D1`)), ['IN_PROCESS', '3', undefined, undefined]);
  await f.helpers.advance(1);
  const r = await record(`${p.id}-D1`);
  assert.equal(r.customsResultCode, '100');
  assert.equal(r.customsResultDescription, 'payment data missing');
  assert.equal(r.customsResultReturnedTime, iso(t0 + 60_000));
  assert.notEqual(r.declarationRequestStatus, 'CUSTOMS_ACCEPT_SUCCESS');
  const rq = await record(`${q.id}-D1`);
  assert.deepEqual(
    [rq.customsResultCode, rq.customsResultDescription, rq.customsResultReturnedTime],
    ['-3', 'customs system exception', iso(t0 + 10_000)],
  );
  assert.notEqual(rq.declarationRequestStatus, 'CUSTOMS_ACCEPT_SUCCESS');
});

test('a default rule applies to orders without their own rule; an order rule still wins', async () => {
  const plain = await paidPayment(f);
  const own = await paidPayment(f);
  await f.helpers.customsRules({
    default: {
      outcomes: [{ decision: 'REJECT', code: '100', description: 'default: goods not registered' }],
      processingAfterMs: 0,
      decisionAfterMs: 5_000,
    },
    orders: { [own.id]: { outcomes: [{ decision: 'ACCEPT' }], processingAfterMs: 0, decisionAfterMs: 5_000 } },
  });
  try {
    await f.client.declare(declareRequest(plain.id));
    await f.client.declare(declareRequest(own.id));
    await f.helpers.advance(5_000);
    const r = await record(`${plain.id}-D1`);
    assert.deepEqual([r.customsResultCode, r.customsResultDescription], ['100', 'default: goods not registered']);
    assert.deepEqual(statusOf(await record(`${own.id}-D1`)).slice(0, 2), ['CUSTOMS_ACCEPT_SUCCESS', '399']);
  } finally {
    await f.helpers.customsRules({ reset: true });
  }
  // After the reset the built-in default (accept after 2 minutes) is back.
  const later = await paidPayment(f);
  await f.client.declare(declareRequest(later.id));
  await f.helpers.advance(2 * MIN);
  assert.deepEqual(statusOf(await record(`${later.id}-D1`)).slice(0, 2), ['CUSTOMS_ACCEPT_SUCCESS', '399']);
});

test('a retransmission after a rejection starts a new review, which takes the next outcome (ACCEPT)', async () => {
  const p = await paidPayment(f);
  await f.helpers.customsRules({
    orders: {
      [p.id]: {
        outcomes: [{ decision: 'REJECT', code: '100', description: 'payment data missing' }, { decision: 'ACCEPT' }],
        processingAfterMs: 1_000,
        decisionAfterMs: 60_000,
      },
    },
  });
  const t0 = await f.helpers.now();
  const id = `${p.id}-D1`;
  await f.client.declare(declareRequest(p.id));
  await f.helpers.advance(60_000);
  assert.equal((await record(id)).customsResultCode, '100');

  await f.helpers.advance(241_001); // t0 + 5:01, more than 5 minutes after the only call
  const t1 = t0 + 301_001;
  await f.client.declare(declareRequest(p.id));
  let r = await record(id);
  assert.deepEqual(statusOf(r), ['WAITING_FOR_PROCESSING', '2', undefined, undefined]);
  assert.equal(r.lastModifiedTime, iso(t1));
  await f.helpers.advance(1_000);
  assert.deepEqual(statusOf(await record(id)), ['IN_PROCESS', '3', undefined, undefined]);
  await f.helpers.advance(59_000);
  r = await record(id);
  assert.deepEqual(statusOf(r), ['CUSTOMS_ACCEPT_SUCCESS', '399', 'finalised', iso(t1 + 60_000)]);
  const d = (await f.helpers.ledger()).declarations.find((x) => x.customsDeclarationRequestId === id);
  assert.ok(d, `no declaration ${id} in the ledger`);
  assert.equal(d.reviews, 2);
  assert.deepEqual(
    d.calls.map((c) => c.kind),
    ['FIRST', 'RETRANSMISSION'],
  );
});

test('an inquiry of only unknown ids succeeds with every id in declarationRequestsNotFound', async () => {
  const ids = [uniqueId('NOPE'), uniqueId('NOPE')];
  const r = await f.client.inquireDeclarationRequests({ declarationRequestIds: ids });
  assert.deepEqual(r.declarationRecords, []);
  assert.deepEqual(r.declarationRequestsNotFound, ids);
});
