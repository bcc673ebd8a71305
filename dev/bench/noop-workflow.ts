import { proxyActivities } from '@temporalio/workflow';

// The bench's no-op baseline: the least a workflow with one activity can cost on this server.

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

export async function noopWorkflow(): Promise<void> {
  await noop();
}
