import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

// The no-op baseline's worker, a process of its own with the SDK's default worker options, as the
// order worker has. `TEMPORAL_ADDRESS` and `BENCH_TASK_QUEUE` say where; it prints "ready" once polling.

async function main() {
  const address = process.env.TEMPORAL_ADDRESS;
  const taskQueue = process.env.BENCH_TASK_QUEUE;
  if (!address || !taskQueue) throw new Error('noop worker: set TEMPORAL_ADDRESS and BENCH_TASK_QUEUE');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    workflowsPath: require.resolve('./noop-workflow'),
    activities: { noop: () => Promise.resolve() },
  });
  const running = worker.run();
  console.log('ready');
  await running;
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
