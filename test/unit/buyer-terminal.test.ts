import assert from 'node:assert/strict';
import { test } from 'node:test';
import { payEnv, payResponse } from '../../alipay-plus';
import { orderProblems, parseOrder, type OrderInput } from '../../domain/order';
import { sampleOrder } from '../../dev/scenarios/orders';

// The buyer's terminal in the order input, and pay's env and links on the wire.

/** The sample orders are filed on the CEB messages, as every new order is. */
const CEB = { customsMessages: true };
const order = (terminal?: unknown): OrderInput =>
  ({ ...sampleOrder({ name: 'TERM' }), ...(terminal !== undefined && { terminal }) }) as OrderInput;

test('an order that names no terminal is a web checkout', () => {
  assert.deepEqual(parseOrder(order(), CEB).terminal, { terminalType: 'WEB' });
});

test('an app checkout names its operating system (TERMINAL_OS); a mobile browser may', () => {
  assert.match(orderProblems(order({ terminalType: 'APP' }), CEB) ?? '', /^TERMINAL_OS: /);
  assert.equal(orderProblems(order({ terminalType: 'APP', osType: 'IOS' }), CEB), null);
  assert.equal(orderProblems(order({ terminalType: 'WAP' }), CEB), null);
  assert.match(orderProblems(order({ terminalType: 'MINI_APP' }), CEB) ?? '', /terminal\.terminalType/);
  assert.match(orderProblems(order({ terminalType: 'APP', osType: 'WINDOWS' }), CEB) ?? '', /terminal\.osType/);
});

test("pay's env takes Antom's terminal types and OS types only", () => {
  for (const ok of [{ terminalType: 'WEB' }, { terminalType: 'WAP', osType: 'ANDROID' }, { terminalType: 'APP', osType: 'IOS' }]) {
    assert.equal(payEnv.safeParse(ok).success, true, JSON.stringify(ok));
  }
  for (const bad of [{}, { terminalType: 'PC' }, { terminalType: 'APP', osType: 'ios' }]) {
    assert.equal(payEnv.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test("pay's answer: every link is optional; normalUrl and applinkUrl are http(s), schemeUrl any scheme", () => {
  const result = { resultStatus: 'S', resultCode: 'SUCCESS', resultMessage: 'success' };
  assert.equal(payResponse.safeParse({ result, paymentId: 'P1' }).success, true);
  const app = {
    result,
    paymentId: 'P1',
    schemeUrl: 'alipays://platformapi/startApp?x=1',
    applinkUrl: 'https://a.example/l',
    normalUrl: 'https://a.example/h5',
  };
  assert.equal(payResponse.safeParse(app).success, true);
  assert.equal(payResponse.safeParse({ ...app, normalUrl: 'alipays://x' }).success, false);
  assert.equal(payResponse.safeParse({ ...app, applinkUrl: 'alipays://x' }).success, false);
});
