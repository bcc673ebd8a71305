import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalFiles } from '../local-files';

// What the files of a run share, made once before the first one starts, and passed to them in the
// environment their processes inherit. The worker and stack modules load only when a run needs them.

/** The layers whose files start no worker: a run of only these needs no workflow bundle. */
const NO_WORKER = ['test/unit/', 'test/protocol/'];

/** Marks a file that can run on the runner's shared stack (test/support/e2e.ts). */
const SHARES_THE_STACK = 'sharedE2EStack(';

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Prepares the run; tells each step as it ends; returns what undoes it at the end of the run. */
export async function prepareRun(root: string, files: string[], say: (line: string) => void): Promise<() => Promise<void>> {
  const undo: (() => Promise<void> | void)[] = [];
  // Stacks of files running side by side would race to create the keys and secrets they share.
  ensureLocalFiles();

  if (files.some((f) => !NO_WORKER.some((layer) => f.startsWith(layer)))) {
    const { PREBUILT_WORKFLOW_BUNDLE_ENV } = await import('../prebuilt-bundle.js');
    if (!process.env[PREBUILT_WORKFLOW_BUNDLE_ENV]) {
      const started = Date.now();
      const { bundleWorkflows } = await import('../../platform/workflow-bundle.js');
      const dir = mkdtempSync(join(tmpdir(), 'alipay-test-bundle-'));
      process.env[PREBUILT_WORKFLOW_BUNDLE_ENV] = await bundleWorkflows(join(dir, 'workflow-bundle.js'));
      undo.push(() => rmSync(dir, { recursive: true, force: true }));
      say(`bundled the workflows once for every worker of the run, in ${seconds(started)}`);
    }
  }

  const sharing = files.filter((f) => readFileSync(join(root, f), 'utf8').includes(SHARES_THE_STACK));
  if (sharing.length > 0) {
    const { SHARED_STACK_ENV, startSharedE2EStack } = await import('../../test/support/e2e.js');
    if (!process.env[SHARED_STACK_ENV]) {
      const started = Date.now();
      const { addressOf } = await import('../stack.js');
      const stack = await startSharedE2EStack();
      process.env[SHARED_STACK_ENV] = JSON.stringify(addressOf(stack));
      undo.unshift(() => stack.stop());
      say(`started the stack ${sharing.length} end-to-end files share, in ${seconds(started)} (logs in ${stack.logDir})`);
    }
  }

  return async () => {
    for (const step of undo) await step();
  };
}
