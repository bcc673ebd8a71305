import type { TestEvent } from 'node:test/reporters';
import { projectPath } from './files';

// What dev/test.ts prints after the spec reporter: the slowest files with their wall time, and the totals.
//
// With process isolation (node 20), node:test runs each file as a test of its own, named by the file's
// absolute path, at nesting 0 like the file's own top-level tests. Its test:complete event comes when the
// file's process exits, and its duration runs from the spawn of that process: the file's real wall time,
// startup, stacks started and stopped outside any test, and waiting included.

/** The root's summary diagnostics: `tests 645`, `pass 640`, ..., `duration_ms 581234.5`. */
const TOTALS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms'] as const;
type Total = (typeof TOTALS)[number];

export interface FileTime {
  /** Project path, e.g. "test/e2e/pii.test.ts". */
  file: string;
  ms: number;
  passed: boolean;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const minutes = (ms: number) => {
  const s = Math.round(ms / 1000);
  return ms < 60_000 ? seconds(ms) : `${Math.floor(s / 60)} min ${s % 60} s`;
};

/** A failed test, or a file whose process failed outside its tests. */
export interface Failure {
  file: string;
  name: string;
  message: string;
}

/** What an error says, its cause first (node:test wraps a test's own error), cut to a few lines. */
function errorText(error: unknown, maxLines = 4, maxChars = 1500): string {
  const own = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const text = own instanceof Error ? `${own.name}: ${own.message}` : String(own);
  const lines = text.split('\n').slice(0, maxLines).join('\n');
  return lines.length > maxChars ? `${lines.slice(0, maxChars)}…` : lines;
}

export class RunSummary {
  readonly files: FileTime[] = [];
  readonly failures: Failure[] = [];
  private readonly totals = new Map<Total, number>();
  private sawFailure = false;

  constructor(private readonly root: string) {}

  add(event: TestEvent) {
    const { type, data } = event;
    if (type === 'test:complete' && data.nesting === 0 && data.file !== undefined && data.name === data.file)
      this.files.push({ file: projectPath(this.root, data.file), ms: data.details.duration_ms, passed: data.details.passed });
    // A todo test may fail without failing the run, as in node's own count.
    if (type === 'test:fail' && (data.todo === undefined || data.todo === false)) {
      this.sawFailure = true;
      const file = data.file === undefined ? '(no file)' : projectPath(this.root, data.file);
      const isFile = data.nesting === 0 && data.name === data.file;
      // A suite fails when a test in it does ('subtestsFailed'), and so does a file: the test is the one named;
      // a file is named on its own only when none of its tests failed.
      const ofSubtests = (data.details.error as { failureType?: string } | undefined)?.failureType === 'subtestsFailed';
      if (ofSubtests) return;
      if (!isFile || !this.failures.some((f) => f.file === file))
        this.failures.push({ file, name: isFile ? "(the file's process)" : data.name, message: errorText(data.details.error) });
    }
    if (type === 'test:diagnostic' && data.nesting === 0 && data.file === undefined) {
      const [key, value] = data.message.split(' ');
      // A run in parts (dev/test.ts runs some files alone after the rest) ends each part with its totals: they add up.
      if ((TOTALS as readonly string[]).includes(key) && value !== undefined)
        this.totals.set(key as Total, (this.totals.get(key as Total) ?? 0) + Number(value));
    }
  }

  /** A test failed or was cancelled (a file over its timeout is cancelled), or the run never finished. */
  get failed(): boolean {
    const count = (k: Total) => this.totals.get(k) ?? 0;
    return this.sawFailure || count('fail') > 0 || count('cancelled') > 0 || !this.totals.has('tests');
  }

  /** The wall time of each file, by project path. */
  timings(): Record<string, number> {
    return Object.fromEntries(this.files.map((f) => [f.file, f.ms]));
  }

  /** `preparedMs`: the time before the first file started, which node's own figure for the run leaves out. */
  report(concurrency: number, preparedMs = 0, shown = 10): string {
    const slowest = [...this.files].sort((a, b) => b.ms - a.ms).slice(0, shown);
    const width = Math.max(0, ...slowest.map((f) => seconds(f.ms).length));
    const count = (k: Total) => this.totals.get(k) ?? 0;
    return [
      `the ${slowest.length} slowest of ${this.files.length} files (wall time of each file's process, ${concurrency} at a time):`,
      ...slowest.map((f) => `  ${seconds(f.ms).padStart(width)}  ${f.file}${f.passed ? '' : '  (failed)'}`),
      '',
      `tests ${count('tests')}, pass ${count('pass')}, fail ${count('fail')}, cancelled ${count('cancelled')}, ` +
        `skipped ${count('skipped')}, todo ${count('todo')}; total wall time ${minutes(preparedMs + count('duration_ms'))}` +
        (preparedMs >= 1_000 ? `, ${seconds(preparedMs)} of it before the first file started` : ''),
      // Last, so the tail of a long log (all CI keeps) says what failed and why.
      ...(this.failures.length === 0
        ? []
        : [
            '',
            `failed (${this.failures.length}):`,
            ...this.failures.map((f) => `  ${f.file} › ${f.name}\n    ${f.message.replaceAll('\n', '\n    ')}`),
          ]),
    ].join('\n');
  }
}
