import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import axios from 'axios';
import { APIS, AlipayPlusFinalError, type PayEnv } from '../../alipay-plus';
import { ALIPAY_ANDROID_PACKAGE } from '../../sandbox/payments';
import { payRequest } from '../support/orders';
import { startSandboxFixture, type SandboxFixture } from '../support/sandbox';
import { assertSignedResult, rawCall, rejectsWith } from '../support/wire';

// pay's env (terminalType, osType) and the links the sandbox answers for each terminal, as Antom's
// "URLs for payment redirection" sorts them.

let f: SandboxFixture;
before(async () => (f = await startSandboxFixture()));
after(() => f.close());

async function payFrom(env: PayEnv | undefined) {
  const req = { ...payRequest({ now: await f.helpers.now() }), ...(env && { env }) };
  return { req, res: await f.client.pay(req) };
}

test('WEB (and no env at all) gets the cashier page as normalUrl, and no app links', async () => {
  for (const env of [{ terminalType: 'WEB' as const }, undefined]) {
    const { res } = await payFrom(env);
    assert.equal(res.normalUrl, `${f.sandbox.url}/cashier/${encodeURIComponent(res.paymentId)}`);
    assert.equal(res.schemeUrl, undefined);
    assert.equal(res.applinkUrl, undefined);
    assert.equal(res.appIdentifier, undefined);
  }
});

test('WAP gets an H5 page as normalUrl, and no app links', async () => {
  const { res } = await payFrom({ terminalType: 'WAP', osType: 'IOS' });
  assert.equal(res.normalUrl, `${f.sandbox.url}/h5/cashier/${encodeURIComponent(res.paymentId)}`);
  assert.equal(res.schemeUrl, undefined);
  assert.equal(res.applinkUrl, undefined);
  const page = await axios.get<string>(res.normalUrl, { responseType: 'text' });
  assert.equal(page.status, 200);
});

test('APP on Android gets schemeUrl and applinkUrl to open Alipay, normalUrl as the H5 fallback, and the package name', async () => {
  const { req, res } = await payFrom({ terminalType: 'APP', osType: 'ANDROID' });
  const h5 = `${f.sandbox.url}/h5/cashier/${encodeURIComponent(res.paymentId)}`;
  assert.equal(res.normalUrl, h5);
  assert.match(res.schemeUrl!, /^alipays:\/\/platformapi\/startApp\?/);
  assert.ok(res.schemeUrl!.includes(encodeURIComponent(h5)), res.schemeUrl);
  assert.equal(res.applinkUrl, `${f.sandbox.url}/applink/cashier/${encodeURIComponent(res.paymentId)}`);
  assert.equal(res.appIdentifier, ALIPAY_ANDROID_PACKAGE);
  // The App Link opens the H5 cashier where the app is not installed.
  const page = await axios.get<string>(res.applinkUrl, { responseType: 'text' });
  assert.match(page.data, new RegExp(req.paymentRequestId));
  // The ledger keeps the env the merchant sent.
  const [payment] = (await f.helpers.ledgerOf(req.paymentRequestId)).payments;
  assert.deepEqual(payment.env, { terminalType: 'APP', osType: 'ANDROID' });
});

test('APP on iOS gets the same links without an Android package name', async () => {
  const { res } = await payFrom({ terminalType: 'APP', osType: 'IOS' });
  assert.match(res.schemeUrl ?? '', /^alipays:\/\/platformapi\/startApp\?/);
  assert.match(res.applinkUrl ?? '', /\/applink\/cashier\/[^/]+$/);
  assert.match(res.normalUrl ?? '', /\/h5\/cashier\/[^/]+$/);
  assert.equal(res.appIdentifier, undefined);
});

test('the links of a repeated pay are the same; the same paymentRequestId from another terminal is REPEAT_REQ_INCONSISTENT', async () => {
  const { req, res } = await payFrom({ terminalType: 'APP', osType: 'IOS' });
  const again = await f.client.pay(req);
  assert.deepEqual([again.schemeUrl, again.applinkUrl, again.normalUrl], [res.schemeUrl, res.applinkUrl, res.normalUrl]);
  await rejectsWith(f.client.pay({ ...req, env: { terminalType: 'WEB' } }), AlipayPlusFinalError, 'REPEAT_REQ_INCONSISTENT');
});

test('env is checked: APP without osType, an unknown terminalType or osType are F PARAM_ILLEGAL naming the field', async () => {
  const e = await rejectsWith(payFrom({ terminalType: 'APP' }), AlipayPlusFinalError, 'PARAM_ILLEGAL');
  assert.match(e.message, /env\.osType/);
  const now = await f.helpers.now();
  const path = APIS.pay.path;
  for (const [env, field] of [
    [{ terminalType: 'PC' }, /env\.terminalType/],
    [{ terminalType: 'APP', osType: 'HARMONY' }, /env\.osType/],
  ] as const) {
    // Sent around the client's own schema, as a merchant with a bug would.
    const body = assertSignedResult(
      await rawCall(f.sandbox.url, { path, body: { ...payRequest({ now }), env } }),
      path,
      'F',
      'PARAM_ILLEGAL',
    );
    assert.match(body.result.resultMessage, field);
  }
});
