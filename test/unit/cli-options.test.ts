import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OperatorError, identityOfToken, operatorOf } from '../../cli/operator';
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

/** An unsigned JWT naming a person: the CLI only reads the claims; the Temporal server verifies the token. */
const jwtOf = (claims: object) =>
  ['{"alg":"none"}', JSON.stringify(claims), 'sig'].map((p) => Buffer.from(p).toString('base64url')).join('.');

test('operator commands act as the identity of the JWT the CLI connects with, and refuse another --by', () => {
  const env = { ...process.env, TEMPORAL_API_KEY: jwtOf({ sub: 'u-1', email: 'alice@merchant.example' }), TEMPORAL_ADDRESS: '127.0.0.1:1' };
  const other = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'cancel', 'ORD-1', '--by', 'bob', '--reason', 'ticket 7'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
  assert.notEqual(other.status, 0);
  assert.match(other.stderr, /--by bob: the connection to Temporal is authenticated as alice@merchant\.example/);
  const help = orders('cancel', '--help');
  assert.match(help.stdout, /--by <operator>.*the person\s+it\s+names/s);
});

test('without an identity in the connection, operator commands need --by', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' };
  delete env.TEMPORAL_API_KEY;
  const missing = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'poll', 'ORD-1', '--reason', 'ticket 7'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /--by is required/);
});

test('identityOfToken reads email, then preferred_username, then sub, and nothing from a token that is not a JWT', () => {
  assert.equal(
    identityOfToken(jwtOf({ sub: 'u-1', preferred_username: 'alice', email: 'alice@merchant.example' })),
    'alice@merchant.example',
  );
  assert.equal(identityOfToken(jwtOf({ sub: 'u-1', preferred_username: 'alice' })), 'alice');
  assert.equal(identityOfToken(jwtOf({ sub: 'u-1' })), 'u-1');
  assert.equal(identityOfToken('an-opaque-api-key'), undefined);
  assert.equal(identityOfToken('a.%%%.c'), undefined);
  assert.equal(identityOfToken(jwtOf({ email: 42 })), undefined);
  assert.equal(operatorOf('bob', undefined), 'bob');
  assert.equal(operatorOf(undefined, 'alice'), 'alice');
  assert.throws(() => operatorOf('bob', 'alice'), OperatorError);
  assert.throws(() => operatorOf('  ', undefined), /--by is required/);
});

test('start refuses a file that is not an order by rule ORDER_FILE, before connecting (found by npm run fuzz)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orders-file-'));
  for (const [name, text] of [
    ['not-json.json', 'not json {'],
    ['null.json', 'null'],
    ['array.json', '[]'],
  ]) {
    writeFileSync(join(dir, name), text);
    // TEMPORAL_ADDRESS points nowhere: the refusal must come before any connection.
    const refused = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start', join(dir, name), '--terminal', 'WAP'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:9' },
    });
    assert.equal(refused.status, 1, name);
    assert.match(refused.stderr, /^refused by rule ORDER_FILE: /m, `${name}: ${refused.stderr}`);
  }
  const missing = orders('start', join(dir, 'missing.json'));
  assert.match(missing.stderr, /^refused by rule ORDER_FILE: cannot read /m, missing.stderr);
});
