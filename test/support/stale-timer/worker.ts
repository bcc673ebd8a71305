import { createInterface } from 'node:readline';
import { NativeConnection, Worker } from '@temporalio/worker';

// A worker process of its own, so the test can kill it with SIGKILL: node --import tsx worker.ts <address> <task queue>
// It prints READY once created, and polls only after a line on stdin: the test decides when it starts.
async function main() {
  const [address, taskQueue] = process.argv.slice(2);
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, taskQueue, workflowsPath: require.resolve('./workflows') });
  console.log('READY');
  await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
  await worker.run();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
