import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { OrderState } from '../../workflows/order/state';
import {
  refuseCancel,
  refuseCorrection,
  refuseNotification,
  refusePollNow,
  refuseRealNameDecision,
  refuseRefund,
  refuseRefundNotification,
  refuseRefundResolution,
} from '../../workflows/order/validators';

// An update's argument comes from any client: a value of the wrong shape is refused by a named rule,
// never with a TypeError (found by `npm run fuzz`: e.g. correctDeclaration(null), pollNow({operator: 1})).

/** What the validators read of an order awaiting payment. */
const awaitingPayment = {
  stage: 'AWAITING_PAYMENT',
  payment: { paymentRequestId: 'O-1', amountFen: 19_900, paymentId: 'P-1', status: 'PROCESSING' },
  refunds: [],
  declarations: [],
  stuckReasons: {},
} as unknown as OrderState;

const VALIDATORS: [string, (o: OrderState, arg: never) => void][] = [
  ['paymentNotification', refuseNotification],
  ['refundNotification', refuseRefundNotification],
  ['correctDeclaration', refuseCorrection],
  ['requestRefund', refuseRefund],
  ['cancelOrder', refuseCancel],
  ['reviewRealName', refuseRealNameDecision],
  ['pollNow', refusePollNow],
  ['resolveFailedRefund', refuseRefundResolution],
];

const WRONG_SHAPES: unknown[] = [
  null,
  undefined,
  7,
  'x',
  [],
  { operator: 1, reason: 'r' },
  { operator: 'o', reason: {} },
  { requestedBy: ['a'], reason: 'r', amountFen: 1 },
];

test('every update validator refuses a wrongly shaped argument by a named rule', () => {
  for (const [name, validate] of VALIDATORS) {
    for (const arg of WRONG_SHAPES) {
      assert.throws(
        () => validate(awaitingPayment, arg as never),
        (e: unknown) => e instanceof ApplicationFailure && /^[A-Z][A-Z_]+$/.test(e.type ?? '') && e.message.startsWith(`${e.type}: `),
        `${name}(${JSON.stringify(arg)})`,
      );
    }
  }
});

test('a correction with a merchant customs code that is not text is refused as FIELD_LENGTH', () => {
  const declared = {
    ...awaitingPayment,
    declarations: [{ declarationId: 'O-1-D1', status: 'REJECTED', amountFen: 19_900 }],
  } as unknown as OrderState;
  assert.throws(
    () => refuseCorrection(declared, { declarationId: 'O-1-D1', operator: 'o', reason: 'r', merchantCustomsCode: 5 } as never),
    (e: unknown) => e instanceof ApplicationFailure && e.type === 'FIELD_LENGTH',
  );
});
