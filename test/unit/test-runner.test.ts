import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as wait } from 'node:timers/promises';
import type { TestEvent } from 'node:test/reporters';
import { findTestFiles, globToRegExp, slowestFirst, splitAlone } from '../../dev/test/files';
import { descendants, stopDescendants } from '../../dev/test/processes';
import { RunSummary } from '../../dev/test/summary';
import { projectRoot } from '../../platform/paths';
import { knownTimingsPath, readTimings, timingsBefore, timingsPath, writeTimings } from '../../dev/test/timings';

// The test runner of `npm test` (dev/test.ts): which files it takes, the order it starts them in, its
// summary of node:test's events (as node 20 sends them under process isolation) and its timings file.

const ROOT = '/project';

/** Events as node 20's runner sends them: a file is a test named by its path, at nesting 0. */
const fileComplete = (file: string, ms: number, passed = true) =>
  ({
    type: 'test:complete',
    data: { name: `${ROOT}/${file}`, file: `${ROOT}/${file}`, nesting: 0, testNumber: 1, details: { duration_ms: ms, passed } },
  }) as TestEvent;
const testComplete = (file: string, name: string, ms: number) =>
  ({
    type: 'test:complete',
    data: { name, file: `${ROOT}/${file}`, nesting: 0, testNumber: 1, details: { duration_ms: ms, passed: true } },
  }) as TestEvent;
const testFail = (name: string, todo?: string, error?: Error, file = `${ROOT}/x.test.ts`, nesting = 1) =>
  ({
    type: 'test:fail',
    data: { name, file, nesting, testNumber: 1, todo, details: { duration_ms: 1, error } },
  }) as TestEvent;
const total = (message: string) => ({ type: 'test:diagnostic', data: { message, nesting: 0 } }) as TestEvent;
const totals = (fail = 0, cancelled = 0) =>
  [
    `tests 7`,
    'suites 1',
    `pass ${6 - fail - cancelled}`,
    `fail ${fail}`,
    `cancelled ${cancelled}`,
    'skipped 1',
    'todo 0',
    'duration_ms 61500.2',
  ].map(total);

describe('the order files start in', () => {
  test('the slowest first, by the timings of the runs before', () => {
    const timings = { 'test/unit/a.test.ts': 800, 'test/e2e/b.test.ts': 90_000, 'test/workflow/c.test.ts': 20_000 };
    assert.deepEqual(slowestFirst(Object.keys(timings), timings), ['test/e2e/b.test.ts', 'test/workflow/c.test.ts', 'test/unit/a.test.ts']);
  });

  test('files never timed first, by layer: stacks first, unit files last', () => {
    const files = [
      'test/unit/u.test.ts',
      'test/protocol/p.test.ts',
      'test/workflow/w.test.ts',
      'test/browser/b.test.ts',
      'test/e2e/e.test.ts',
    ];
    assert.deepEqual(slowestFirst([...files, 'test/replay/r.test.ts'], { 'test/replay/r.test.ts': 5_000 }), [
      'test/e2e/e.test.ts',
      'test/browser/b.test.ts',
      'test/workflow/w.test.ts',
      'test/protocol/p.test.ts',
      'test/unit/u.test.ts',
      'test/replay/r.test.ts',
    ]);
  });
});

describe('the files a run takes', () => {
  const root = mkdtempSync(join(tmpdir(), 'test-runner-'));
  for (const f of [
    'test/unit/a.test.ts',
    'test/unit/b.test.ts',
    'test/unit/deep/c.test.ts',
    'test/support/helper.ts',
    'test/e2e/d.test.ts',
  ]) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '');
  }

  test('a folder: every *.test.ts under it', () => {
    assert.deepEqual(findTestFiles(root, root, ['test/unit']).sort(), [
      'test/unit/a.test.ts',
      'test/unit/b.test.ts',
      'test/unit/deep/c.test.ts',
    ]);
  });

  test('globs, files and folders together, each file once, relative to the working folder', () => {
    const files = findTestFiles(root, join(root, 'test'), ['unit/*.test.ts', 'unit/a.test.ts', 'e2e', '**/c.test.ts']);
    assert.deepEqual(files.sort(), ['test/e2e/d.test.ts', 'test/unit/a.test.ts', 'test/unit/b.test.ts', 'test/unit/deep/c.test.ts']);
  });

  test('a path that names no test file is refused', () => {
    assert.throws(() => findTestFiles(root, root, ['test/unit/nope.test.ts']), /no test file at test\/unit\/nope\.test\.ts/);
    assert.throws(() => findTestFiles(root, root, ['test/*/nope*.ts']), /no test file/);
  });

  test('* and ? stay within a folder, ** crosses folders', () => {
    assert.ok(globToRegExp('/p/test/*.test.ts').test('/p/test/a.test.ts'));
    assert.ok(!globToRegExp('/p/test/*.test.ts').test('/p/test/unit/a.test.ts'));
    assert.ok(globToRegExp('/p/test/**/*.test.ts').test('/p/test/a.test.ts'));
    assert.ok(globToRegExp('/p/test/**/*.test.ts').test('/p/test/unit/deep/a.test.ts'));
    assert.ok(globToRegExp('/p/t?st/a.ts').test('/p/test/a.ts'));
    assert.ok(!globToRegExp('/p/test/a.ts').test('/p/testXa.ts'));
  });
});

describe('the summary of a run', () => {
  test("a file's figure is its own test:complete, not the sum of its tests", () => {
    const summary = new RunSummary(ROOT);
    for (const e of [testComplete('test/e2e/a.test.ts', 'one', 1_000), fileComplete('test/e2e/a.test.ts', 45_000), ...totals()])
      summary.add(e);
    assert.deepEqual(summary.timings(), { 'test/e2e/a.test.ts': 45_000 });
    assert.equal(summary.failed, false);
  });

  test('the 10 slowest files, slowest first, and the totals', () => {
    const summary = new RunSummary(ROOT);
    for (let i = 1; i <= 12; i++) summary.add(fileComplete(`test/unit/f${i}.test.ts`, i * 1_000, i !== 12));
    for (const e of totals(1)) summary.add(e);
    const lines = summary.report(4).split('\n');
    assert.equal(lines[0], "the 10 slowest of 12 files (wall time of each file's process, 4 at a time):");
    assert.equal(lines[1], '  12.0 s  test/unit/f12.test.ts  (failed)');
    assert.equal(lines[10], '   3.0 s  test/unit/f3.test.ts');
    assert.equal(lines.at(-1), 'tests 7, pass 5, fail 1, cancelled 0, skipped 1, todo 0; total wall time 1 min 2 s');
    assert.equal(
      summary.report(4, 12_300).split('\n').at(-1),
      'tests 7, pass 5, fail 1, cancelled 0, skipped 1, todo 0; total wall time 1 min 14 s, 12.3 s of it before the first file started',
    );
  });

  test('a run in two parts (the files that run alone after the rest) counts the totals of both', () => {
    const summary = new RunSummary(ROOT);
    for (const e of [...totals(), ...totals(1)]) summary.add(e);
    assert.match(
      summary.report(4).split('\n').at(-1)!,
      /^tests 14, pass 11, fail 1, cancelled 0, skipped 2, todo 0; total wall time 2 min 3 s$/,
    );
    assert.equal(summary.failed, true);
  });

  test('the failed tests come last, each with its own error, so the tail of a log says what failed and why', () => {
    const summary = new RunSummary(ROOT);
    const wrapped = (cause: Error) => Object.assign(new Error('test failed'), { cause });
    const file = `${ROOT}/test/workflow/p.test.ts`;
    summary.add(testFail('pays once', undefined, wrapped(new RangeError('paid twice\nline 2\nline 3\nline 4\nline 5')), file));
    summary.add(testFail('its suite', undefined, Object.assign(new Error('1 subtest failed'), { failureType: 'subtestsFailed' }), file));
    summary.add(testFail(file, undefined, new Error('1 test failed'), file, 0));
    const crashed = `${ROOT}/test/e2e/c.test.ts`;
    summary.add(testFail(crashed, undefined, new Error('exited with code 1'), crashed, 0));
    for (const e of totals(1)) summary.add(e);
    assert.deepEqual(summary.report(2).split('\n').slice(-9), [
      '',
      'failed (2):',
      '  test/workflow/p.test.ts › pays once',
      '    RangeError: paid twice',
      '    line 2',
      '    line 3',
      '    line 4',
      "  test/e2e/c.test.ts › (the file's process)",
      '    Error: exited with code 1',
    ]);
  });

  test('long-orders and stale-timer run alone, after the files that run side by side', () => {
    const files = ['test/unit/a.test.ts', 'test/workflow/long-orders.test.ts', 'test/e2e/b.test.ts', 'test/e2e/stale-timer.test.ts'];
    assert.deepEqual(splitAlone(files), {
      together: ['test/unit/a.test.ts', 'test/e2e/b.test.ts'],
      alone: ['test/workflow/long-orders.test.ts', 'test/e2e/stale-timer.test.ts'],
    });
  });

  test('it fails on a failed or cancelled test, or a run that never finished; a failing todo does not', () => {
    const failed = (events: TestEvent[]) => {
      const summary = new RunSummary(ROOT);
      events.forEach((e) => summary.add(e));
      return summary.failed;
    };
    assert.equal(failed([testFail('later', 'not yet'), ...totals()]), false);
    assert.equal(failed([testFail('broken'), ...totals()]), true);
    assert.equal(failed(totals(1)), true);
    assert.equal(failed(totals(0, 1)), true);
    assert.equal(failed([fileComplete('test/unit/a.test.ts', 10)]), true);
  });
});

describe('an interrupted run', () => {
  test('stops every process below the runner, grandchildren too', async () => {
    // A shell standing in for the runner; below it a shell (a test file) and its sleep (a test server).
    const runner = spawn('sh', ['-c', 'sh -c "sleep 60 & wait" & wait'], { stdio: 'ignore' });
    const exited = new Promise((r) => runner.once('exit', r));
    while (descendants(runner.pid!).length < 2) await wait(20);
    const [file, server] = descendants(runner.pid!);
    assert.equal(await stopDescendants(runner.pid, 2_000), 2);
    await exited; // its wait ends once its child is gone
    for (const pid of [file, server]) assert.throws(() => process.kill(pid, 0), /ESRCH/, `process ${pid} is gone`);
  });
});

describe('the timings file', () => {
  test('this run over the runs before; files gone or outside the project dropped', () => {
    const root = mkdtempSync(join(tmpdir(), 'test-timings-'));
    mkdirSync(join(root, 'test'));
    for (const f of ['a', 'b']) writeFileSync(join(root, 'test', `${f}.test.ts`), '');
    const file = join(root, '.dev', 'test-timings.json');
    assert.deepEqual(readTimings(file), {});
    writeTimings(
      root,
      file,
      { 'test/a.test.ts': 10, 'test/b.test.ts': 20, 'test/gone.test.ts': 5 },
      { 'test/b.test.ts': 30.4, '../x.test.ts': 1 },
    );
    assert.deepEqual(readTimings(file), { 'test/a.test.ts': 10, 'test/b.test.ts': 30 });
    writeFileSync(file, '{"files": {"test/a.test.ts": "slow"}}');
    assert.deepEqual(readTimings(file), {}, 'a file it cannot read gives the layer order');
  });

  test("a clone that never ran the tests orders them by the committed timings; its own runs' come first", () => {
    const root = mkdtempSync(join(tmpdir(), 'test-timings-'));
    mkdirSync(join(root, 'test'));
    for (const f of ['a', 'b']) writeFileSync(join(root, 'test', `${f}.test.ts`), '');
    mkdirSync(dirname(knownTimingsPath(root)), { recursive: true });
    writeFileSync(knownTimingsPath(root), JSON.stringify({ files: { 'test/a.test.ts': 100, 'test/b.test.ts': 200 } }));
    assert.deepEqual(timingsBefore(root), { 'test/a.test.ts': 100, 'test/b.test.ts': 200 });
    writeTimings(root, timingsPath(root), {}, { 'test/a.test.ts': 300 });
    assert.deepEqual(timingsBefore(root), { 'test/a.test.ts': 300, 'test/b.test.ts': 200 });
  });

  test('the committed timings name only test files that exist', () => {
    const known = readTimings(knownTimingsPath(projectRoot()));
    assert.ok(Object.keys(known).length > 0, 'dev/test/known-timings.json is missing or unreadable');
    for (const file of Object.keys(known)) assert.ok(existsSync(join(projectRoot(), file)), `${file} is gone: measure the timings again`);
  });
});
