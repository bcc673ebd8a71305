import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

// The wall time of each test file in the runs before, kept in .dev/ (git ignores it): dev/test.ts
// starts the slowest files first by it, and writes it again at the end of every run. A clone that has not
// run the tests yet (CI's) orders them by the timings committed in dev/test/known-timings.json, measured on
// this 2-core machine: without them a slow file may start last and run on alone.

const timingsFile = z.object({
  /** Milliseconds by project path, e.g. "test/e2e/pii.test.ts". */
  files: z.record(z.string(), z.number().nonnegative()),
});

export const timingsPath = (root: string) => join(root, '.dev', 'test-timings.json');
export const knownTimingsPath = (root: string) => join(root, 'dev', 'test', 'known-timings.json');

/** This clone's timings over the committed ones. */
export const timingsBefore = (root: string): Record<string, number> => ({
  ...readTimings(knownTimingsPath(root)),
  ...readTimings(timingsPath(root)),
});

/** The timings of the runs before; none when there is no file or it cannot be read (the layer order applies). */
export function readTimings(file: string): Record<string, number> {
  try {
    return timingsFile.parse(JSON.parse(readFileSync(file, 'utf8'))).files;
  } catch {
    return {};
  }
}

/**
 * Writes the timings this run measured over the ones before, so a run of one folder keeps the others';
 * files that no longer exist, or lie outside the project, are dropped.
 */
export function writeTimings(root: string, file: string, before: Record<string, number>, measured: Record<string, number>) {
  const files: Record<string, number> = {};
  for (const [path, ms] of Object.entries({ ...before, ...measured }).sort(([a], [b]) => a.localeCompare(b)))
    if (!path.startsWith('../') && existsSync(join(root, path))) files[path] = Math.round(ms);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ files } satisfies z.infer<typeof timingsFile>, null, 2)}\n`);
  renameSync(tmp, file);
}
