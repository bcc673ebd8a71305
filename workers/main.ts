import { existsSync } from 'node:fs';
import { Runtime, Worker } from '@temporalio/worker';
import { AlipayPlusClient, loadAlipayPlusConfig } from '../alipay-plus';
import { SettlementFileClient } from '../alipay-plus/settlement-file';
import { createActivities } from '../activities';
import { cebFilingPort } from '../activities/customs';
import { ensureReconciliationSchedule } from '../client/reconciliation';
import { EPortClient } from '../eport/client';
import { encryptingDataConverter } from '../platform/data-converter';
import { PinoTemporalLogger, createLogger } from '../platform/logger';
import { keyringFromEnv } from '../platform/payload-keys';
import { connectClient } from '../platform/temporal-connection';
import { connectWorker } from './native-connection';
import { loadWorkerSettings } from './settings';

// `npm run worker`: runs order and quota workflows from the prebuilt bundle, and their activities.

async function main() {
  const settings = loadWorkerSettings();
  const alipayConfig = loadAlipayPlusConfig();
  const dataConverter = encryptingDataConverter(keyringFromEnv());
  const logger = createLogger(settings.LOG_LEVEL, 'worker');
  if (!existsSync(settings.WORKFLOW_BUNDLE_PATH)) {
    throw new Error(`no workflow bundle at ${settings.WORKFLOW_BUNDLE_PATH}: run \`npm run build\` first`);
  }

  Runtime.install({
    logger: new PinoTemporalLogger(logger),
    telemetryOptions: {
      // The SDK's metrics and the workflows' business counters, on one Prometheus endpoint.
      metrics: { prometheus: { bindAddress: `${settings.METRICS_HOST}:${settings.METRICS_PORT}` } },
    },
  });

  const temporal = await connectClient(settings.temporal, dataConverter);
  const connection = await connectWorker(settings.temporal);
  const common = {
    connection,
    namespace: settings.temporal.namespace,
    workflowBundle: { codePath: settings.WORKFLOW_BUNDLE_PATH },
    dataConverter,
    // On SIGTERM or SIGINT the worker stops polling and lets running activities finish for this long.
    shutdownGraceTime: '10 seconds',
  };
  // Orders, and the quota entities started before they had a queue of their own.
  const orders = await Worker.create({
    ...common,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    // The SDK runs every workflow on one thread by default; orders keep two cores busy under load.
    workflowThreadPoolSize: 2,
    activities: createActivities({
      alipay: new AlipayPlusClient({ ...alipayConfig, logger: logger.child({ component: 'alipay-plus' }) }),
      eport: new EPortClient(settings.EPORT_BASE_URL),
      // The CEB messages (steps 9 and 10); without the CEB_ settings the customs activities fail, saying so.
      customs: settings.ceb && cebFilingPort(settings.ceb, logger.child({ component: 'ceb' })),
      notifyUrl: settings.NOTIFY_URL,
      redirectUrl: settings.PAYMENT_REDIRECT_URL,
      temporal,
      quotaTaskQueue: settings.quotaTaskQueue,
      buyerKeySecret: settings.buyerKeySecret,
      // The daily transaction files: at SETTLEMENT_FILES_BASE_URL, by default where Alipay+ answers (the sandbox).
      settlementFiles: new SettlementFileClient({
        baseUrl: settings.SETTLEMENT_FILES_BASE_URL ?? alipayConfig.baseUrl,
        customerId: settings.SETTLEMENT_CUSTOMER_ID ?? alipayConfig.clientId,
      }),
    }),
  });
  // The quota entities, with workflow task slots of their own: an order's workflow task waits for them.
  const quotas = await Worker.create({ ...common, taskQueue: settings.quotaTaskQueue });
  logger.info(
    {
      taskQueue: settings.TEMPORAL_TASK_QUEUE,
      quotaTaskQueue: settings.quotaTaskQueue,
      namespace: settings.temporal.namespace,
      address: settings.temporal.connection.address,
      ...(settings.temporal.profile && { profile: settings.temporal.profile }),
      metrics: `http://${settings.METRICS_HOST}:${settings.METRICS_PORT}/metrics`,
    },
    'worker started',
  );
  if (settings.RECONCILIATION_SCHEDULE === 'daily') {
    // Idempotent: every replica asks, the first creates it, and an operator's pause or change stands.
    const created = await ensureReconciliationSchedule(temporal, settings.TEMPORAL_TASK_QUEUE);
    logger.info({ created }, created ? 'daily reconciliation schedule created' : 'daily reconciliation schedule exists');
  }
  await Promise.all([orders.run(), quotas.run()]); // return once a shutdown signal has drained them
  await connection.close();
  await temporal.connection.close();
  logger.info('worker stopped');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
