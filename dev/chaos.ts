import { Command, InvalidArgumentError } from 'commander';
import { Listr } from 'listr2';
import { chaosReport } from './chaos/report';
import { runChaos, type ChaosOptions, type ChaosProgress } from './chaos/run';

// `npm run chaos`: a bounded fault-injection run of the whole local stack that proves no paid order is
// stranded. `-- --quick` is a small run of a few minutes; docs/testing.md explains the checks.

const positive = (v: string) => {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('must be a number above 0');
  return n;
};
const integer = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
};

/** The default size fits in 20 minutes on 2 cores: 1,000 orders over 10 minutes, then the stragglers. */
const FULL = { orders: 1000, rate: 1.7, downMs: 5_000, finalWindowMs: 60_000, settleTimeoutMs: 6 * 60_000 };
const QUICK = { orders: 40, rate: 1, downMs: 3_000, finalWindowMs: 20_000, settleTimeoutMs: 4 * 60_000 };

const program = new Command('chaos')
  .description('a fault-injection run of the whole local stack; exits 1 when a check fails')
  .option('--orders <n>', `orders to run (default ${FULL.orders}, ${QUICK.orders} with --quick)`, positive)
  .option('--rate <per-second>', `orders started per second (default ${FULL.rate}, ${QUICK.rate} with --quick)`, positive)
  .option('--seed <n>', 'plans the same mix of orders and sandbox faults again', integer, 1)
  .option(
    '--down-ms <ms>',
    `how long a killed worker or receiver stays down (default ${FULL.downMs}, ${QUICK.downMs} with --quick)`,
    positive,
  )
  .option(
    '--final-window-ms <ms>',
    `how long the window of F answers stays open (default ${FULL.finalWindowMs}, ${QUICK.finalWindowMs} with --quick)`,
    positive,
  )
  .option(
    '--settle-timeout-ms <ms>',
    `the longest wait, after the last operator action, for the orders still on their way (default ${FULL.settleTimeoutMs}, ${QUICK.settleTimeoutMs} with --quick)`,
    positive,
  )
  .option('--quick', 'a small run of a few minutes, with the faults compressed in time')
  .parse();
const flags = program.opts<{
  orders?: number;
  rate?: number;
  seed: number;
  downMs?: number;
  finalWindowMs?: number;
  settleTimeoutMs?: number;
  quick?: boolean;
}>();
const size = flags.quick ? QUICK : FULL;

const line = (p: ChaosProgress) =>
  p.phase === 'starting the stack'
    ? 'starting the stack (Temporal with a file database, sandbox, receiver, worker)'
    : `${p.phase}: ${p.started}/${p.total} started, ${p.driven} driven` +
      (p.phase === 'orders' ? '' : `, ${p.atEnd} at the end of their path`);

async function main() {
  const options: ChaosOptions = {
    orders: Math.round(flags.orders ?? size.orders),
    rate: flags.rate ?? size.rate,
    seed: flags.seed,
    downMs: flags.downMs ?? size.downMs,
    finalWindowMs: flags.finalWindowMs ?? size.finalWindowMs,
    settleTimeoutMs: flags.settleTimeoutMs ?? size.settleTimeoutMs,
  };
  console.log(
    `chaos: ${options.orders} orders at ${options.rate}/s, seed ${options.seed}; down ${options.downMs} ms, ` +
      `F window ${options.finalWindowMs} ms, settle wait ${options.settleTimeoutMs} ms`,
  );
  let result: Awaited<ReturnType<typeof runChaos>> | undefined;
  await new Listr(
    [
      {
        title: 'chaos run',
        task: async (_ctx, task) => {
          result = await runChaos({
            ...options,
            onProgress: (p) => {
              // A log (no TTY) gets a line per change of title: there, the title changes every 5% of the orders.
              const step = Math.max(1, Math.round(p.total / 20));
              const title = process.stdout.isTTY
                ? line(p)
                : line({ ...p, started: p.started - (p.started % step), driven: p.driven - (p.driven % step) });
              if (task.title !== title) task.title = title;
            },
            onFault: (f) => (task.output = f),
          });
          task.title = `chaos run: ${result.orders} orders`;
        },
        rendererOptions: { persistentOutput: true, bottomBar: 10 },
      },
    ],
    { fallbackRenderer: 'verbose', fallbackRendererOptions: { logTitleChange: true } },
  ).run();
  console.log(`\n${chaosReport(result!)}`);
  process.exit(result!.ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
