import { readFileSync } from 'node:fs';
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';

// The test runner (dev/test.ts) bundles the workflows once for a whole run and names the file here, so the
// stacks its test files start load it instead of each compiling the same workflow code.

export const PREBUILT_WORKFLOW_BUNDLE_ENV = 'PREBUILT_WORKFLOW_BUNDLE';

/** The runner's bundle file, when it built one. */
export const prebuiltBundlePath = (): string | undefined => process.env[PREBUILT_WORKFLOW_BUNDLE_ENV] || undefined;

/** The runner's bundle when it built one, else a fresh bundle of the workflows. */
export async function workflowBundleForTests(): Promise<WorkflowBundle> {
  const prebuilt = prebuiltBundlePath();
  if (prebuilt) return { code: readFileSync(prebuilt, 'utf8') };
  return bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
}
