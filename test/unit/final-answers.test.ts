import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIGURATION_CODES, finalAnswerHandling, type RemoteCall } from '../../domain/final-answers';

// The one table that decides what an order does with a final answer, per call and per code.

const CALLS: RemoteCall[] = [
  'inquiryPayment',
  'cancelPayment',
  'declare',
  'refund',
  'inquiryRefund',
  'inquireDeclarationRequests',
  'eportOrderDocument',
  'eportWaybill',
  'eportClearance',
  'quotaCommit',
  'quotaRelease',
  'quotaMarkPaid',
  'quotaClose',
];

test('a configuration answer is retried once configured, on every call', () => {
  for (const call of CALLS) {
    for (const code of CONFIGURATION_CODES) assert.equal(finalAnswerHandling(call, code), 'RETRY_WHEN_CONFIGURED', `${call} ${code}`);
  }
});

test('no call after checkout fails the order: every answer is retried, handled by its step, or already done', () => {
  for (const call of CALLS) {
    assert.ok(['STEP_DECIDES', 'OPERATOR_DECIDES'].includes(finalAnswerHandling(call, 'SOME_NEW_CODE')), call);
  }
});

test('the answers with a branch of their own', () => {
  assert.equal(finalAnswerHandling('cancelPayment', 'INVALID_ORDER_STATUS'), 'STEP_DECIDES');
  assert.equal(finalAnswerHandling('cancelPayment', 'PROCESS_FAIL'), 'OPERATOR_DECIDES');
  assert.equal(finalAnswerHandling('declare', 'REPEAT_REQ_INCONSISTENT'), 'STEP_DECIDES');
  assert.equal(finalAnswerHandling('refund', 'REFUND_AMOUNT_EXCEED'), 'STEP_DECIDES');
  assert.equal(finalAnswerHandling('eportOrderDocument', 'EPORT_ALREADY_DECIDED'), 'ALREADY_DONE');
  assert.equal(finalAnswerHandling('eportOrderDocument', 'EPORT_REFUSED'), 'OPERATOR_DECIDES');
  assert.equal(finalAnswerHandling('quotaRelease', 'QUOTA_ALREADY_COMMITTED'), 'ALREADY_DONE');
  assert.equal(finalAnswerHandling('quotaMarkPaid', 'ANNUAL_QUOTA_EXCEEDED'), 'STEP_DECIDES');
  // A quota entity that is not running: nothing is held to release or keep open; a commit, markPaid or return waits for an operator.
  assert.equal(finalAnswerHandling('quotaRelease', 'QUOTA_ENTITY_CLOSED'), 'ALREADY_DONE');
  assert.equal(finalAnswerHandling('quotaClose', 'QUOTA_ENTITY_CLOSED'), 'ALREADY_DONE');
  for (const call of ['quotaCommit', 'quotaMarkPaid', 'quotaReturn'] as const) {
    assert.equal(finalAnswerHandling(call, 'QUOTA_ENTITY_CLOSED'), 'OPERATOR_DECIDES', call);
  }
  assert.equal(finalAnswerHandling('inquiryPayment', 'ORDER_NOT_EXIST'), 'OPERATOR_DECIDES');
});
