import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { defaultWorkflowBundlePath } from './paths';

// Builds the workflow bundle that workers load at start, so a worker never compiles workflow code.
// `npm run build` and `npm run bundle` run this file; the local stack calls bundleWorkflows().

export async function bundleWorkflows(out = defaultWorkflowBundlePath()) {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  return out;
}

if (require.main === module) {
  bundleWorkflows(process.argv[2]).then(
    (out) => console.log(`workflow bundle written to ${out}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
