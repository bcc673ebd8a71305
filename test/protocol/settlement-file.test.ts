import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SettlementFileClient, SettlementFileNotReady, parseSettlementFile } from '../../alipay-plus/settlement-file';
import { SettlementFileHelpers } from '../../sandbox/settlement-helpers';
import { paidPayment } from '../support/orders';
import { CLIENT_ID, frozenTime, startSandboxFixture, type SandboxFixture } from '../support/sandbox';

// The sandbox's daily transaction file: one line per payment and per refund of the day, published once
// the day is over, and the mismatches tests plant in it.

const DAY = 86_400_000;
const START = Date.parse('2026-03-10T09:00:00Z');
let f: SandboxFixture;
let files: SettlementFileClient;
let plants: SettlementFileHelpers;

before(async () => {
  f = await startSandboxFixture({ timeSource: frozenTime(START) });
  files = new SettlementFileClient({ baseUrl: f.sandbox.url, customerId: CLIENT_ID });
  plants = new SettlementFileHelpers(f.sandbox.url, CLIENT_ID);
});
after(() => f.close());

test('the file of a day lists its payments and refunds with amounts, currency, status and the rate recorded at payment', async () => {
  const p = await paidPayment(f, { fen: 71_000 });
  const refund = await f.client.refund({
    refundRequestId: `${p.id}-R1`,
    paymentRequestId: p.id,
    refundAmount: { currency: 'CNY', value: '10000' },
    refundReason: 'one tin broken',
  });
  await assert.rejects(files.download('2026-03-10'), SettlementFileNotReady, 'the file is published on T+1');

  await f.helpers.advance(DAY);
  const lines = await files.download('2026-03-10');
  const pay = lines.find((l) => l.transactionRequestId === p.id)!;
  assert.deepEqual(
    [pay.transactionType, pay.transactionStatus, pay.transactionId, pay.transactionAmountValue, pay.transactionCurrency],
    ['PAYMENT', 'SUCCESS', p.paymentId, '71000', 'CNY'],
  );
  assert.deepEqual([pay.settlementAmountValue, pay.settlementCurrency, pay.quotePrice], ['10000', 'USD', '7.1000']);
  const ref = lines.find((l) => l.transactionRequestId === `${p.id}-R1`)!;
  assert.deepEqual(
    ref && [
      ref.transactionType,
      ref.transactionId,
      ref.originalTransactionRequestId,
      ref.originalTransactionId,
      ref.transactionAmountValue,
    ],
    ['REFUND', refund.refundId, p.id, p.paymentId, '10000'],
  );
  assert.equal(ref.quotePrice, '7.1000');
  assert.equal((await files.download('2026-03-09')).length, 0, 'the day before had nothing');
});

test('planted mismatches: a payment no order made, a line left out, an altered amount, status and rate', async () => {
  const today = new Date(await f.helpers.now()).toISOString().slice(0, 10);
  const kept = await paidPayment(f);
  const left = await paidPayment(f);
  await f.client.refund({
    refundRequestId: `${kept.id}-R1`,
    paymentRequestId: kept.id,
    refundAmount: { currency: 'CNY', value: '100' },
    refundReason: 'test',
  });
  const stranger = await plants.unknownPayment(today, 5_000);
  await plants.omit(left.id);
  await plants.alter(kept.id, { transactionAmountValue: '1', transactionCurrency: 'USD' });
  await plants.alter(`${kept.id}-R1`, { transactionStatus: 'FAIL', quotePrice: '7.5' });

  await f.helpers.advance(DAY);
  const lines = parseSettlementFile(await plants.file(today));
  assert.equal(lines.find((l) => l.transactionRequestId === stranger)?.transactionAmountValue, '5000');
  assert.equal(
    lines.find((l) => l.transactionRequestId === left.id),
    undefined,
  );
  const pay = lines.find((l) => l.transactionRequestId === kept.id)!;
  assert.deepEqual([pay.transactionAmountValue, pay.transactionCurrency], ['1', 'USD']);
  const ref = lines.find((l) => l.transactionRequestId === `${kept.id}-R1`)!;
  assert.deepEqual([ref.transactionStatus, ref.quotePrice], ['FAIL', '7.5']);
});

test('a file without its <END> line is refused whole', () => {
  assert.throws(() => parseSettlementFile('customerId,transactionId\n'), /no <END> line/);
});
