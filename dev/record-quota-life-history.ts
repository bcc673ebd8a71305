import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { quotaActivities } from '../activities/quota';
import { customsYear } from '../domain/limits';
import { quotaWorkflowId } from '../domain/quota-api';
import { AesGcmCodec, parseKeyring } from '../platform/aes-gcm-codec';
import { testServerExecutable } from './temporal-binaries';

// Records test/histories/buyer-quota-open-for-committed.json: a buyer's quota entity that lives past its year
// and 30-day grace (the quota-open-for-committed patch). A year cannot pass on start-dev, so it is recorded on
// the time-skipping test server, with the committed test-only keyring. Run: npx tsx dev/record-quota-life-history.ts

const HISTORIES = join(__dirname, '..', 'test', 'histories');
const DAY = 24 * 60 * 60_000;

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dataConverter = { payloadCodecs: [new AesGcmCodec(parseKeyring(readFileSync(join(HISTORIES, 'payload-keys.txt'), 'utf8')))] };
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: testServerExecutable() },
    client: { dataConverter },
  });
  try {
    const taskQueue = 'quota-record';
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
    const worker = await Worker.create({ connection: env.nativeConnection, workflowBundle, dataConverter, taskQueue });
    await worker.runUntil(async () => {
      const quota = quotaActivities({ temporal: env.client, quotaTaskQueue: taskQueue, buyerKeySecret: 'record-secret' });
      const skipTo = async (at: number) => {
        const now = await env.currentTimeMs();
        if (at > now) await env.sleep(at - now);
      };
      const year = customsYear(await env.currentTimeMs());
      const yearEnd = Date.UTC(year + 1, 0, 1) - 8 * 60 * 60_000;
      await skipTo(yearEnd - DAY);
      const buyerKey = await quota.buyerQuotaKey({ certificateType: 'ID_CARD', certificateNo: '110101199003071234' });
      const at = (orderId: string) => ({ buyerKey, year, orderId });
      // An exact-money order that closes its hold when final, and an older order that never does.
      await quota.reserveQuota({ ...at('ORD-EXACT'), amountFen: 1_000_000 });
      await quota.commitQuota({ ...at('ORD-EXACT'), amountFen: 800_000, untilClosed: true });
      await quota.reserveQuota({ ...at('ORD-OLD'), amountFen: 500_000 });
      await quota.commitQuota({ ...at('ORD-OLD') });
      const committedAt = await env.currentTimeMs();
      await skipTo(yearEnd + 31 * DAY);
      await quota.returnQuota({ ...at('ORD-EXACT'), returnId: 'ORD-EXACT-G1', amountFen: 200_000 });
      await quota.returnQuota({ ...at('ORD-OLD'), returnId: 'ORD-OLD-G1', amountFen: 100_000 });
      await quota.closeQuotaHold(at('ORD-EXACT'));
      await skipTo(committedAt + 61 * DAY);
      const handle = env.client.workflow.getHandle(quotaWorkflowId(buyerKey, year));
      await handle.result();
      const json = historyToJSON(await handle.fetchHistory());
      writeFileSync(join(HISTORIES, 'buyer-quota-open-for-committed.json'), json);
      console.log(`buyer-quota-open-for-committed.json: ${(JSON.parse(json) as { events: unknown[] }).events.length} events`);
    });
  } finally {
    await env.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
