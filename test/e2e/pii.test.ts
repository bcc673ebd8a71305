import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startOrder } from '../../client/orders';
import type { OrderInput } from '../../domain/order';
import { cliExecutable } from '../../dev/temporal-binaries';
import type { Stack } from '../../dev/stack';
import { sharedE2EStack } from '../support/e2e';
import { sampleOrder } from '../../dev/scenarios/orders';
import { freshBuyer } from '../support/workflow-helpers';

// PII in histories: the buyer's name and ID number are stored only encrypted, and only the codec
// server, with its token, turns them back into plaintext.

const run = promisify(execFile);
let stack: Stack;
before(async () => (stack = await sharedE2EStack('pii')));
after(() => stack?.stop());

const buyer = freshBuyer(777);
const show = (workflowId: string, extra: string[] = []) =>
  run(
    cliExecutable()!.path,
    ['workflow', 'show', '--workflow-id', workflowId, '--address', stack.temporalAddress, '--output', 'json', ...extra],
    {
      maxBuffer: 32 * 1024 * 1024,
    },
  ).then((r) => r.stdout);

/** Every payload's data in a `workflow show --output json` history, base64-decoded to text. */
function payloadTexts(json: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.data === 'string' && o.metadata && typeof o.metadata === 'object')
        out.push(Buffer.from(o.data, 'base64').toString('utf8'));
      Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(json));
  return out;
}

test('`temporal workflow show` holds no buyer name or ID number, even base64-decoded; through the codec server it does', async () => {
  const order = sampleOrder({ buyer });
  await startOrder(stack.client, order, { taskQueue: stack.taskQueue });
  const workflowId = `order-${order.orderId}`;

  const raw = payloadTexts(await show(workflowId));
  assert.ok(raw.length > 3, 'the history has payloads');
  for (const text of raw) {
    assert.ok(!text.includes(buyer.certificateNo), 'no ID number in any payload');
    assert.ok(!text.includes(buyer.fullName), 'no buyer name in any payload');
  }

  const decoded = payloadTexts(await show(workflowId, ['--codec-endpoint', stack.codecUrl, '--codec-auth', `Bearer ${stack.codecToken}`]));
  assert.ok(
    decoded.some((t) => t.includes(buyer.certificateNo) && t.includes(buyer.fullName)),
    'the codec server decrypts the input for an operator with the token',
  );
});

test('the codec server refuses to decode without the token', async () => {
  const order = sampleOrder({ buyer: freshBuyer(778) });
  await startOrder(stack.client, order, { taskQueue: stack.taskQueue });
  // Take a real encrypted payload from the history and ask the codec server to decode it.
  const history = await stack.client.workflow.getHandle(`order-${order.orderId}`).fetchHistory();
  const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  const body = JSON.stringify({
    payloads: [
      {
        metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(input.data!).toString('base64'),
      },
    ],
  });
  const post = (headers: Record<string, string>) =>
    fetch(`${stack.codecUrl}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const refused = await post({});
  assert.equal(refused.status, 401);
  const refusedText = await refused.text();
  assert.ok(!refusedText.includes(order.buyer.certificateNo));
  const ok = await post({ authorization: `Bearer ${stack.codecToken}` });
  assert.equal(ok.status, 200);
  const decoded = (await ok.json()) as { payloads: { data: string }[] };
  assert.equal(
    (JSON.parse(Buffer.from(decoded.payloads[0].data, 'base64').toString()) as OrderInput).buyer.certificateNo,
    order.buyer.certificateNo,
  );
});
