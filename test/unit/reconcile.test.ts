import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayBefore, dayBounds, fileStatusOfRefund, reconcile, type OrderMoney, type SettlementLine } from '../../domain/reconciliation';

// The reconciliation's rules on their own: each line against the orders, each order's money of the day against the lines.

const DATE = '2026-03-10';

function order(id: string, over: Partial<OrderMoney> = {}): OrderMoney {
  return {
    orderId: id,
    paymentRequestId: id,
    paymentStatus: 'SUCCESS',
    paymentId: `P-${id}`,
    paidAt: `${DATE}T08:00:00.000Z`,
    amountFen: 19_900,
    currency: 'CNY',
    quotePrice: '7.1000',
    refunds: [],
    ...over,
  };
}

function payment(id: string, over: Partial<SettlementLine> = {}): SettlementLine {
  return {
    customerId: 'M',
    transactionId: `P-${id}`,
    originalTransactionId: '',
    transactionRequestId: id,
    originalTransactionRequestId: '',
    transactionType: 'PAYMENT',
    transactionStatus: 'SUCCESS',
    transactionTime: `${DATE}T08:00:00.000Z`,
    transactionAmountValue: '19900',
    transactionCurrency: 'CNY',
    settlementAmountValue: '2803',
    settlementCurrency: 'USD',
    quoteCurrencyPair: 'USD/CNY',
    quotePrice: '7.1000',
    ...over,
  };
}

const refundLine = (orderId: string, refundRequestId: string, over: Partial<SettlementLine> = {}) =>
  payment(refundRequestId, {
    transactionType: 'REFUND',
    transactionId: `R-${refundRequestId}`,
    originalTransactionId: `P-${orderId}`,
    originalTransactionRequestId: orderId,
    transactionAmountValue: '1000',
    ...over,
  });

const codes = (issues: ReturnType<typeof reconcile>) => issues.map((i) => `${i.code} ${i.transactionRequestId}`).sort();

test('a file and orders that agree give no issues; the rate compares as a number (7.1 = 7.1000)', () => {
  const refunded = order('B', {
    refunds: [{ refundRequestId: 'B-R1', refundId: 'R-B-R1', amountFen: 1000, status: 'SUCCEEDED', at: `${DATE}T09:00:00.000Z` }],
  });
  assert.deepEqual(
    reconcile(DATE, [payment('A'), payment('B'), refundLine('B', 'B-R1', { quotePrice: '7.1' })], [order('A'), refunded]),
    [],
  );
});

test('each kind of mismatch, once', () => {
  const refunds = [
    { refundRequestId: 'E-R1', refundId: 'R1', amountFen: 1000, status: 'PENDING' as const, at: `${DATE}T09:00:00.000Z` },
    { refundRequestId: 'E-R2', refundId: 'R2', amountFen: 1000, status: 'SUCCEEDED' as const, at: `${DATE}T09:00:00.000Z` },
    { refundRequestId: 'E-R3', refundId: 'R3', amountFen: 1000, status: 'SUCCEEDED' as const, at: `${DATE}T09:00:00.000Z` },
    // Refused by Alipay+ (no refundId): never in its books, so never missing from the file.
    { refundRequestId: 'E-R4', amountFen: 1000, status: 'FAILED' as const, at: `${DATE}T09:00:00.000Z` },
  ];
  const orders = [order('A'), order('B'), order('C'), order('D', { paymentStatus: 'FAIL', paidAt: undefined }), order('E', { refunds })];
  const lines = [
    payment('A', { transactionAmountValue: '19000' }),
    payment('C', { transactionCurrency: 'USD' }),
    payment('D'),
    payment('X'),
    payment('E'),
    refundLine('E', 'E-R1', { transactionStatus: 'SUCCESS' }),
    refundLine('E', 'E-R2', { quotePrice: '7.5' }),
    refundLine('E', 'E-R9'),
  ];
  assert.deepEqual(
    codes(reconcile(DATE, lines, orders)),
    [
      'AMOUNT_MISMATCH A',
      'CURRENCY_MISMATCH C',
      'PAYMENT_MISSING_FROM_FILE B',
      'PAYMENT_WITHOUT_ORDER D',
      'PAYMENT_WITHOUT_ORDER X',
      'REFUND_MISSING_FROM_FILE E-R3',
      'REFUND_RATE_MISMATCH E-R2',
      'REFUND_STATUS_MISMATCH E-R1',
      'REFUND_WITHOUT_ORDER E-R9',
    ].sort(),
  );
});

test('only money moved on the day must be in the file: an order paid the day before is not missing', () => {
  assert.deepEqual(reconcile(DATE, [], [order('A', { paidAt: '2026-03-09T23:59:59.999Z' })]), []);
  assert.deepEqual(codes(reconcile(DATE, [], [order('A', { paidAt: '2026-03-10T23:59:59.999Z' })])), ['PAYMENT_MISSING_FROM_FILE A']);
});

test('days: UTC bounds, the day before, and dates that do not exist refused', () => {
  assert.deepEqual(dayBounds('2026-03-10'), { start: Date.parse('2026-03-10T00:00:00Z'), end: Date.parse('2026-03-11T00:00:00Z') });
  assert.equal(dayBefore(Date.parse('2026-03-01T02:00:00Z')), '2026-02-28');
  for (const bad of ['2026-02-31', '2026-3-1', 'yesterday']) assert.throws(() => dayBounds(bad), /not a date/);
  assert.deepEqual((['PENDING', 'SUCCEEDED', 'FAILED', 'SETTLED_OUTSIDE_ALIPAY'] as const).map(fileStatusOfRefund), [
    'PROCESSING',
    'SUCCESS',
    'FAIL',
    'FAIL',
  ]);
});
