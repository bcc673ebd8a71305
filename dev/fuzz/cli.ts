import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Command } from 'commander';
import { buildCli } from '../../cli/main';
import { hostileValue, mutate, orderInput, withOrderId } from './arbitraries';
import { startTarget, stillAwaitingPayment, type FuzzEnv, type TargetOrder } from './env';
import { checkProperty, expect, tally } from './harness';
import { describeError, ruleOfError } from './refusals';

// The operators' CLI, run in this process as `orders <argv>` with generated argv against the stack:
// each command with hostile ids, amounts, --by and --reason, unknown options and bad choices; `start`
// with generated and mutated order files. Every run ends in success or a refusal that names its rule.

export const CLI = 'CLI';

/** The text an argument may carry: plain, empty, unicode, very long, option-like. */
const arg = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('ops-fuzz', 'customer asked', '19900', '1') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '-1',
      '0',
      '1.5',
      'NaN',
      '1e400',
      '--by',
      '-x',
      '张三',
      'x'.repeat(300),
      '../../etc/passwd',
      "'; DROP",
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => s.replace(/\0/g, '')) },
);

type Target = 'existing' | 'absent' | 'hostile';

const cliCase = fc.record({
  command: fc.constantFrom(
    'status',
    'refund',
    'cancel',
    'approve',
    'poll',
    'resolve-refund',
    'retransmit',
    'start',
    'list',
    'stuck',
    'history',
    'nope',
  ),
  target: fc.constantFrom<Target>('existing', 'absent', 'hostile'),
  hostileId: arg,
  by: fc.option(arg, { freq: 6 }),
  reason: fc.option(arg, { freq: 6 }),
  amount: arg,
  // Mostly none: a stray flag makes commander refuse before anything else is tried.
  flags: fc.oneof(
    { weight: 3, arbitrary: fc.constant<string[]>([]) },
    {
      weight: 1,
      arbitrary: fc.subarray([
        '--json',
        '--reject',
        '--retry',
        '--settled-outside',
        '--unknown-flag',
        '--terminal',
        'APP',
        '--os',
        'WINDOWS',
        '--amount-fen',
        '--customs-code',
      ]),
    },
  ),
  extra: fc.oneof({ weight: 4, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.array(arg, { maxLength: 2 }) }),
  file: fc.oneof(
    { weight: 4, arbitrary: orderInput.map((o) => ({ kind: 'order' as const, o })) },
    { weight: 1, arbitrary: hostileValue.map((v) => ({ kind: 'json' as const, v })) },
    { weight: 1, arbitrary: fc.constantFrom({ kind: 'text' as const, text: 'not json {' }, { kind: 'missing' as const }) },
  ),
});

type CliCase = typeof cliCase extends fc.Arbitrary<infer T> ? T : never;

function argvOf(g: CliCase, t: TargetOrder, dir: string, newId: string): string[] {
  const id = g.target === 'existing' ? t.orderId : g.target === 'absent' ? newId : g.hostileId;
  const by = [...(g.by !== null ? ['--by', g.by] : []), ...(g.reason !== null ? ['--reason', g.reason] : [])];
  const rest = [...g.flags, ...g.extra];
  switch (g.command) {
    case 'status':
      return ['status', id, ...rest];
    case 'refund':
      return ['refund', id, g.amount, ...by, ...rest];
    case 'retransmit':
      return ['retransmit', id, `${id}-D1`, ...by, '--amount-fen', g.amount, ...rest];
    case 'history':
      return ['history', 'export', id, '--out', join(dir, 'history.json'), ...rest];
    case 'list':
      return ['list', '--stage', g.amount, ...rest]; // a stage that is not one: the choice is refused
    case 'stuck':
      return ['stuck', '--code', g.amount, ...rest];
    case 'start': {
      const file = join(dir, 'order.json');
      if (g.file.kind === 'order')
        writeFileSync(file, JSON.stringify(mutate(withOrderId(g.file.o.order, newId), g.file.o.mutations)) ?? 'null');
      else if (g.file.kind === 'json') writeFileSync(file, JSON.stringify(g.file.v) ?? '');
      else if (g.file.kind === 'text') writeFileSync(file, g.file.text);
      else rmSync(file, { force: true });
      return ['start', file, ...rest];
    }
    case 'nope':
      return ['nope', id, ...rest];
    default:
      return [g.command, id, ...by, ...rest];
  }
}

/** Commander exits the process on a usage error; here it throws instead, and prints nowhere. */
function quiet(cmd: Command) {
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  for (const sub of cmd.commands) quiet(sub);
}

/** Runs the CLI in this process with the stack's settings, its output captured. */
async function runCli(env: FuzzEnv, argv: string[]): Promise<{ error?: unknown; out: string }> {
  const saved = { ...process.env };
  const savedLog = console.log;
  const savedError = console.error;
  let out = '';
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: env.stack.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: env.stack.taskQueue,
    PAYLOAD_KEYS_FILE: env.stack.payloadKeysFile,
    TEMPORAL_CONFIG_FILE: '/dev/null',
  });
  console.log = (...a: unknown[]) => void (out += `${a.map(String).join(' ')}\n`);
  console.error = console.log;
  try {
    const program = buildCli();
    quiet(program);
    await program.parseAsync(['node', 'orders', ...argv]);
    return { out };
  } catch (error) {
    return { error, out };
  } finally {
    console.log = savedLog;
    console.error = savedError;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

export async function fuzzCli(env: FuzzEnv, runs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-cli-'));
  let target: TargetOrder | undefined;
  try {
    await checkProperty(env.ctx, CLI, 'every run succeeds or names the rule it broke', runs, cliCase, async (g) => {
      if (g.target === 'existing' && (!target || !(await stillAwaitingPayment(env, target)))) target = await startTarget(env);
      const argv = argvOf(g, target ?? { orderId: 'none', totalFen: 1, paymentId: 'none' }, dir, env.nextOrderId('CL'));
      const { error, out } = await runCli(env, argv);
      // --help and --version end the program without an error.
      if (error === undefined || (error as { exitCode?: number }).exitCode === 0) return void tally(env.ctx, CLI, `${g.command}: done`);
      tally(env.ctx, CLI, `refused ${ruleOfError(error) ?? '(no rule)'}`);
      expect(
        ruleOfError(error),
        () => `orders ${JSON.stringify(argv)} failed without naming a rule: ${describeError(error)}\n${out.slice(0, 300)}`,
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
