import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { defaultWorkflowBundlePath } from './paths';

// Builds the workflow bundle that workers load at start, so a worker never compiles workflow code.
// `npm run build` and `npm run bundle` run this file; the local stack calls bundleWorkflows().

export async function bundleWorkflows(out = defaultWorkflowBundlePath()) {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  mkdirSync(dirname(out), { recursive: true });
  // Written aside and renamed: a worker of another stack reading the file meanwhile sees the old bundle or the new one.
  const aside = `${out}.${process.pid}.tmp`;
  writeFileSync(aside, code);
  renameSync(aside, out);
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
