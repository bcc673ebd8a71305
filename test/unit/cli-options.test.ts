import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { STAGES, STUCK_CODES } from '../../domain/order-api';

// The CLI's choices come from the domain's contracts, so a stage or stuck code added there is one an
// operator can filter by. Help and refused options are answered before any connection is made.

const ROOT = join(__dirname, '..', '..');
const orders = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

test('list --stage offers every stage of the order, REAL_NAME_REVIEW included', () => {
  const help = orders('list', '--help');
  assert.equal(help.status, 0, help.stderr);
  for (const stage of STAGES) assert.match(help.stdout, new RegExp(`"${stage}"`), `list --help lacks ${stage}`);
});

test('stuck --code offers every stuck code', () => {
  const help = orders('stuck', '--help');
  assert.equal(help.status, 0, help.stderr);
  for (const code of STUCK_CODES) assert.match(help.stdout, new RegExp(`"${code}"`), `stuck --help lacks ${code}`);
});

test('a stage that does not exist is refused with the allowed ones', () => {
  const refused = orders('list', '--stage', 'SHIPPED');
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /SHIPPED.*is invalid/);
  assert.match(refused.stderr, /REAL_NAME_REVIEW/);
});

test('resolve-refund needs --retry or --settled-outside, and not both', () => {
  const neither = orders('resolve-refund', 'ORD-1', '--by', 'ops', '--reason', 'ticket 7');
  assert.notEqual(neither.status, 0);
  assert.match(neither.stderr, /say --retry or --settled-outside/);
  const both = orders('resolve-refund', 'ORD-1', '--retry', '--settled-outside', '--by', 'ops', '--reason', 'ticket 7');
  assert.notEqual(both.status, 0);
  assert.match(both.stderr, /cannot be used with/);
});

test('reconciliation run refuses a day that does not exist before connecting; the schedule can be listed, paused and resumed', () => {
  const refused = orders('reconciliation', 'run', '--date', '2026-02-31');
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /not a date \(YYYY-MM-DD\): 2026-02-31/);
  const help = orders('reconciliation', 'schedule', '--help');
  assert.equal(help.status, 0, help.stderr);
  for (const command of ['create', 'list', 'pause', 'unpause']) assert.match(help.stdout, new RegExp(`\\b${command}\\b`));
});
