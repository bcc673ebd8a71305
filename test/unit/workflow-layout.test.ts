import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

// The order workflow is cut by step so every room stays small enough to read in one sitting.

const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
const MAX_LINES = 250;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test(`no workflow file is over ${MAX_LINES} lines`, () => {
  const all = files(WORKFLOWS);
  assert.ok(all.length > 10, 'the order workflow is a folder of step files');
  const long = all
    .map((f) => ({ file: relative(WORKFLOWS, f), lines: readFileSync(f, 'utf8').split('\n').length }))
    .filter((x) => x.lines > MAX_LINES);
  assert.deepEqual(long, []);
});

test('the order workflow names the file of each of the ten documented steps, and those files exist', () => {
  const index = readFileSync(join(WORKFLOWS, 'order', 'index.ts'), 'utf8');
  for (let step = 1; step <= 10; step++) {
    const line = index.split('\n').find((l) => new RegExp(`^//\\s+${step} `).test(l));
    assert.ok(line, `workflows/order/index.ts says where step ${step} lives`);
    for (const file of line.match(/[\w-]+\.ts/g) ?? []) {
      if (file === 'order.ts') continue; // domain/order.ts, named with its folder
      assert.ok(
        files(join(WORKFLOWS, 'order')).some((f) => f.endsWith(`/${file}`)),
        `step ${step}: ${file} exists`,
      );
    }
  }
});
