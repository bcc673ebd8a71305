import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

// Which test files a run takes, and the order they start in: the slowest first, so that the long
// end-to-end files never start last and hold up the end of the run.

/**
 * The layers of `npm test`, in the order they start when no run has timed them yet (a fresh clone):
 * the files that start whole stacks first, the quick unit files last.
 */
export const LAYERS = ['test/e2e', 'test/browser', 'test/workflow', 'test/replay', 'test/fuzz', 'test/protocol', 'test/unit'];

const GLOB = /[*?]/;

/** A path relative to `root`, with forward slashes: the key of a file in the timings. */
export function projectPath(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** Every `*.test.ts` under a folder, at any depth. */
function testFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
}

/** `*` and `?` within a path segment, `**` across segments. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The files an absolute glob names: every file under its fixed leading folders that matches it. */
function filesOfGlob(glob: string): string[] {
  const segments = glob.split('/');
  const base =
    segments
      .slice(
        0,
        segments.findIndex((s) => GLOB.test(s)),
      )
      .join('/') || '/';
  if (!existsSync(base)) return [];
  const pattern = globToRegExp(glob);
  return readdirSync(base, { recursive: true, encoding: 'utf8' })
    .map((f) => join(base, f))
    .filter((f) => pattern.test(f) && statSync(f).isFile());
}

/** The test files that files, folders and globs (relative to `cwd`) name, as project paths, each once. */
export function findTestFiles(root: string, cwd: string, paths: string[]): string[] {
  const found = new Set<string>();
  for (const path of paths) {
    const full = resolve(cwd, path);
    const files = GLOB.test(path)
      ? filesOfGlob(full)
      : existsSync(full) && statSync(full).isDirectory()
        ? testFilesUnder(full)
        : existsSync(full)
          ? [full]
          : [];
    if (files.length === 0) throw new Error(`no test file at ${path}`);
    for (const f of files) found.add(projectPath(root, f));
  }
  return [...found];
}

/**
 * The order the files start in: the files no run has timed yet first, by layer (one of them may be slow),
 * then the timed ones, the longest first.
 */
export function slowestFirst(files: string[], timings: Record<string, number>): string[] {
  const layer = (f: string) => {
    const i = LAYERS.findIndex((l) => f.startsWith(`${l}/`));
    return i < 0 ? LAYERS.length : i;
  };
  const untimed = files.filter((f) => timings[f] === undefined).sort((a, b) => layer(a) - layer(b) || a.localeCompare(b));
  const timed = files.filter((f) => timings[f] !== undefined).sort((a, b) => timings[b] - timings[a] || a.localeCompare(b));
  return [...untimed, ...timed];
}

/**
 * Files that run after the others, one at a time. long-orders skips days of time through continue-as-new; with
 * other stacks busy beside it, the time-skipping test server has rejected one of its workflow task completions
 * ("invalid history builder state for action") and then never finished a skip. Alone it passes. stale-timer's
 * control needs a worker to poll within seconds of a kill, to the second: real time is its point.
 */
export const RUN_ALONE = ['test/workflow/long-orders.test.ts', 'test/e2e/stale-timer.test.ts'];

/** The files that run side by side, and those that run after them, alone. */
export function splitAlone(files: string[]): { together: string[]; alone: string[] } {
  return { together: files.filter((f) => !RUN_ALONE.includes(f)), alone: files.filter((f) => RUN_ALONE.includes(f)) };
}
