import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chaosReport } from '../../dev/chaos/report';
import { runChaos } from '../../dev/chaos/run';

// A small chaos run: every path and every kind of fault (sandbox faults, 3 worker kills, a server kill,
// a receiver kill, a window of F answers) compressed into about a minute of orders, then every check,
// including that every history of the run replays.

test(
  'chaos: 36 orders under every kind of fault end where their paths say, with nothing paid stranded',
  { timeout: 540_000 },
  async (t) => {
    const result = await runChaos({ orders: 36, rate: 0.6, seed: 7, downMs: 3_000, finalWindowMs: 20_000, settleTimeoutMs: 4 * 60_000 });
    const report = chaosReport(result);
    for (const line of report.split('\n')) t.diagnostic(line);
    assert.ok(result.ok, report);
  },
);
