import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project's root: the folder with package.json, whether running from source or from lib/. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** Where `npm run build` writes the workflow bundle and where the worker looks for it by default. */
export function defaultWorkflowBundlePath(root = projectRoot()): string {
  return join(root, 'lib', 'workflow-bundle.js');
}
