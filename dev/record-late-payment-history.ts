import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { cancelOrder, orderHandle, startOrder } from '../client/orders';
import { latePaymentWorkflowId } from '../domain/late-payment';
import { startWorkflowStack } from '../test/support/temporal';
import { forOrder, freshBuyer, untilNotified } from '../test/support/workflow-helpers';
import { payerOf, sampleOrder } from './scenarios/orders';
import { waitForStage } from './scenarios/wait-for-status';

// Records test/histories/late-payment-refunded-exact.json (the order) and late-payment-refunded-workflow-exact.json
// (latePaymentWorkflow): an order cancelled while Alipay+ answers its cancel yet keeps the payment payable, then
// paid, its money refunded by the late-payment workflow. The local stack's sandbox cannot answer a cancel and
// keep the payment, so this path is recorded on the workflow test stack, with a stub of that one answer and the
// committed test-only keyring. Run: npx tsx dev/record-late-payment-history.ts

const HISTORIES = join(__dirname, '..', 'test', 'histories');

async function main() {
  const s = await startWorkflowStack({ payloadKeys: readFileSync(join(HISTORIES, 'payload-keys.txt'), 'utf8') });
  try {
    const order = sampleOrder({ prefix: 'REPLAY-', name: 'LATE-PAYMENT', buyer: freshBuyer(11) });
    s.stubs.set(
      'cancelPayment',
      forOrder(order.orderId, () => Promise.resolve()),
    );
    await startOrder(s.env.client, order, { taskQueue: s.taskQueue });
    await waitForStage(s.env.client, order.orderId, 'AWAITING_PAYMENT');
    await cancelOrder(s.env.client, order.orderId, { operator: 'replay-operator', reason: 'the buyer left checkout' });
    s.stubs.delete('cancelPayment');
    await s.f.helpers.pay(order.orderId, payerOf(order.buyer));
    await untilNotified(s.f.helpers, order.orderId);
    const late = s.env.client.workflow.getHandle(latePaymentWorkflowId(order.orderId));
    await late.result();
    for (const [name, handle] of [
      ['late-payment-refunded-exact', orderHandle(s.env.client, order.orderId)],
      ['late-payment-refunded-workflow-exact', late],
    ] as const) {
      const history = await handle.fetchHistory();
      writeFileSync(join(HISTORIES, `${name}.json`), historyToJSON(history));
      console.log(`${name}.json: ${history.events?.length ?? 0} events`);
    }
  } finally {
    await s.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
