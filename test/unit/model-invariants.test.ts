import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OrderStatus } from '../../domain/order-api';
import type { PaymentLedger } from '../../sandbox/helper-client';
import { violationsOf, type InvariantId, type OrderFacts } from '../model/invariants';
import { skipHung } from '../model/run';
import { modelBuyer, modelOrder, type CustomsPath, type ModelOrder } from '../model/model';

// The model test's invariants can fail: each is fed the facts of a known counterexample and must name it.

type LedgerPayment = PaymentLedger['payments'][number];
type LedgerRefund = PaymentLedger['refunds'][number];

function order(paths: CustomsPath[], over: Partial<ModelOrder> = {}): ModelOrder {
  const { input, parts } = modelOrder('U-O1', modelBuyer(), paths);
  return {
    orderId: 'U-O1',
    input,
    split: parts.length > 1,
    parts,
    year: 2026,
    paid: true,
    cancelled: false,
    refunds: new Map(),
    failing: [],
    returns: [],
    ...over,
  };
}

const payment = (fen: number) =>
  ({ paymentRequestId: 'U-O1', status: 'SUCCESS', amount: { currency: 'CNY', value: String(fen) } }) as unknown as LedgerPayment;
const refund = (id: string, fen: number, reason: string, status = 'SUCCESS') =>
  ({
    refundRequestId: id,
    paymentRequestId: 'U-O1',
    amount: { currency: 'CNY', value: String(fen) },
    reason,
    status,
  }) as unknown as LedgerRefund;

function facts(
  model: ModelOrder,
  status: Partial<OrderStatus>,
  payments: LedgerPayment[],
  refunds: LedgerRefund[],
  execution = 'COMPLETED',
): OrderFacts {
  const st = { orderId: model.orderId, stage: 'COMPLETED', refunds: [], customs: [], ...status } as unknown as OrderStatus;
  return { model, execution, status: st, ledger: { payments, refunds, declarations: [], notifications: [] }, taskFailures: [] };
}

const ids = (f: OrderFacts) => violationsOf([f], []).map((v) => v.invariant);

test('a refund key carried out twice, and more refunded than paid, break I2 and I1', () => {
  const o = order(['RELEASE']);
  const paid = o.input.totalFen;
  const f = facts(
    o,
    {},
    [payment(paid)],
    [refund('U-O1-R1', paid, 'model refund U-O1-K0'), refund('U-O1-R2', paid, 'model refund U-O1-K0')],
  );
  assert.deepEqual(ids(f).sort(), ['I1', 'I2']);
});

test('a split order refunded as a whole when one part was sent back breaks I3', () => {
  const o = order(['RETURN_ABROAD', 'RELEASE']);
  const customs = [
    { orderNo: o.parts[0].orderNo, state: 'RETURNED_ABROAD' },
    { orderNo: o.parts[1].orderNo, state: 'RELEASED' },
  ] as OrderStatus['customs'];
  const f = facts(o, { stage: 'REFUNDED', customs }, [payment(o.input.totalFen)], [refund('U-O1-R1', o.input.totalFen, 'returned abroad')]);
  assert.ok(ids(f).includes('I3'));
});

test('a cancelled order that kept the money breaks I5; a running order stuck for nothing breaks I6; a failed task breaks I7', () => {
  const o = order(['RELEASE']);
  assert.deepEqual(ids(facts(o, { stage: 'CANCELLED' }, [payment(o.input.totalFen)], [])), ['I5']);
  assert.deepEqual(ids(facts(o, { stage: 'CLEARANCE' }, [payment(o.input.totalFen)], [], 'RUNNING')), ['I6']);
  const failed = { ...facts(o, {}, [], []), taskFailures: ['WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE: boom'] };
  assert.deepEqual(ids(failed), ['I7']);
});

test('the quota must count the goods kept: released goods with nothing committed break I4', () => {
  const o = order(['RELEASE']);
  const f = facts(o, { customs: [{ orderNo: o.orderId, state: 'RELEASED' }] as OrderStatus['customs'] }, [payment(o.input.totalFen)], []);
  const v = violationsOf([f], [{ workflowId: 'quota-x-2026', year: 2026, taskFailures: [] }]);
  assert.deepEqual(
    v.map((x) => x.invariant),
    ['I4'],
  );
});

test('a split order cancelled with one part released, refunded in full, breaks I3', () => {
  const o = order(['DETAIN', 'RELEASE'], { cancelled: true });
  const customs = [
    { orderNo: o.parts[0].orderNo, state: 'DETAINED' },
    { orderNo: o.parts[1].orderNo, state: 'RELEASED' },
  ] as OrderStatus['customs'];
  const f = facts(o, { stage: 'CANCELLED', customs }, [payment(o.input.totalFen)], [refund('U-O1-R1', o.input.totalFen, 'cancelled')]);
  assert.ok(ids(f).includes('I3'));
});

test('a hung skip alone is told from a finding: only an outcome with nothing but hung skips is rerun', () => {
  const outcome = (...details: [InvariantId, string][]) => ({
    commands: '',
    log: [],
    refusals: [],
    violations: details.map(([invariant, detail]) => ({ invariant, subject: 'M1', detail })),
  });
  const hung: [InvariantId, string] = ['I0', 'Error: skipping 3600000 ms of time took over 120 s of real time'];
  assert.equal(skipHung(outcome(hung)), true);
  assert.equal(skipHung(outcome(hung, ['I1', 'refunded 2 fen more than paid'])), false);
  assert.equal(skipHung(outcome(['I0', 'refund: no answer within 10 s'])), false);
  assert.equal(skipHung(outcome()), false);
});
