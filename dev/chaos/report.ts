import type { ChaosResult } from './run';

// The report of a chaos run, as plain text tables: the checks, the paths, the faults, the figures.

/** Left-aligned columns under a header row. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** At most this many problems per check are printed; the count says how many there were. */
const PROBLEMS_SHOWN = 15;

export function chaosReport(r: ChaosResult): string {
  const out: string[] = [];
  out.push(
    ...table(
      ['check', 'result', 'figures'],
      r.checks.map((c) => [c.name, c.ok ? 'PASS' : 'FAIL', c.detail]),
    ),
  );
  for (const c of r.checks.filter((x) => !x.ok)) {
    out.push('', `${c.name}: ${c.problems.length} problem(s)`);
    out.push(...c.problems.slice(0, PROBLEMS_SHOWN).map((p) => `  ${p}`));
    if (c.problems.length > PROBLEMS_SHOWN) out.push(`  ... and ${c.problems.length - PROBLEMS_SHOWN} more`);
  }
  if (r.driveErrors.length) {
    out.push('', `${r.driveErrors.length} order(s) did not get their path's actions:`);
    out.push(...r.driveErrors.slice(0, PROBLEMS_SHOWN).map((e) => `  ${e}`));
  }
  out.push(
    '',
    ...table(
      ['path', 'expected end', 'orders', 'at the end'],
      r.paths.map((p) => [p.title, p.expected, String(p.orders), String(p.atEnd)]),
    ),
  );
  out.push('', 'faults injected:');
  out.push(...r.faultLog.map((l) => `  ${l}`));
  const counts = Object.entries(r.faultCounts).sort(([a], [b]) => a.localeCompare(b));
  out.push(
    ...table(
      ['sandbox fault', 'count'],
      counts.map(([k, n]) => [k, String(n)]),
    ).map((l) => `  ${l}`),
  );
  out.push(
    '',
    `${r.orders} orders in ${(r.durationMs / 1000).toFixed(0)} s (stack start to checks), ${r.ordersPerSecond.toFixed(2)} orders/s from the first start to the last order at its end`,
    `logs and Temporal's file: ${r.logDir}`,
    r.ok ? 'CHAOS RUN PASSED' : 'CHAOS RUN FAILED',
  );
  return out.join('\n');
}
