import { request } from 'node:http';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import fc from 'fast-check';

// What every fuzzed boundary shares: a property runner that counts cases and keeps fast-check's
// counterexample, loopback-only HTTP with a deadline, and the memory of the server processes.

/** One property of one boundary, as the report shows it. */
export interface PropertyOutcome {
  boundary: string;
  property: string;
  /** Cases run, counterexample included; shrinking runs are not counted. */
  cases: number;
  /** fast-check's report (seed, path, counterexample) when the property failed, or why it could not run. */
  failure?: string;
  /** fast-check's path to the (shrunk) counterexample, when it gave one: with the run's seed, it replays that case alone. */
  path?: string;
}

/** One property's counterexample to run alone: its path from fast-check's report (PropertyOutcome.path). */
export interface Replay {
  property: string;
  path: string;
}

export interface FuzzContext {
  seed: number;
  outcomes: PropertyOutcome[];
  /** Every request of a case answers within this time, or the case fails. */
  requestTimeoutMs: number;
  /** Cases between two samples of the servers' memory. */
  batch: number;
  memory: MemoryWatch;
  /** How the cases of each boundary ended (accepted, or refused by which rule), to show the fuzz is not vacuous. */
  tallies: Record<string, Record<string, number>>;
  /** Set while fast-check shrinks a failure. */
  shrinking?: boolean;
  /** Replays this counterexample only; every other property is skipped. */
  replay?: Replay;
  /** When the run must end (epoch ms): each property's time limit stops there, and a property cut short fails. */
  deadline?: number;
  log(line: string): void;
}

/** Counts how one case of a boundary ended; not during shrinking, whose cases are not counted either. */
export function tally(ctx: FuzzContext, boundary: string, label: string) {
  if (ctx.shrinking) return;
  const t = (ctx.tallies[boundary] ??= {});
  t[label] = (t[label] ?? 0) + 1;
}

/**
 * Runs one property for `runs` cases from the run's seed. The first failure is shrunk (within a time
 * limit) and kept with its counterexample; the other properties still run.
 */
export async function checkProperty<T>(
  ctx: FuzzContext,
  boundary: string,
  property: string,
  runs: number,
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  /** Cases that run first in every run, whatever the seed: the failures found before, kept as regression tests. */
  examples: T[] = [],
): Promise<PropertyOutcome> {
  let cases = 0;
  ctx.shrinking = false;
  const outcome: PropertyOutcome = { boundary, property, cases: 0 };
  if (skipped(ctx, property)) return outcome;
  if (runs <= 0) return record(ctx, outcome);
  const started = Date.now();
  const details = await fc.check(
    fc.asyncProperty(arb, async (value) => {
      if (!ctx.shrinking) {
        cases++;
        if (cases % ctx.batch === 0) await ctx.memory.sample(`${boundary}: ${property} (${cases} cases)`);
      }
      try {
        await predicate(value);
      } catch (error) {
        ctx.shrinking = true;
        throw error;
      }
    }),
    // A seed per property, from the run's seed and the property's name (so FUZZ_ONLY repeats it). The time
    // limit bounds the property, shrinking included; a property cut short by it fails, as its cases did not all run.
    // A replay runs the one case its path leads to: fast-check would go on from there to the runs after it,
    // and shrink it again.
    {
      numRuns: ctx.replay ? 1 : runs,
      ...(ctx.replay && { path: ctx.replay.path, endOnFailure: true }),
      examples: examples.map((e) => [e] as [T]),
      seed: propertySeed(ctx.seed, boundary, property),
      interruptAfterTimeLimit: timeLimitMs(ctx),
      markInterruptAsFailure: true,
      verbose: 1,
    },
  );
  ctx.shrinking = false;
  outcome.cases = Math.min(cases, runs);
  if (details.failed) {
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    outcome.failure = `${why}\n${fc.defaultReportMessage(details) ?? ''}`;
    if (details.counterexamplePath) outcome.path = details.counterexamplePath;
  }
  ctx.log(
    `${boundary}: ${property}: ${outcome.cases} cases, ${outcome.failure ? 'FAILED' : 'ok'} (${Math.round((Date.now() - started) / 1000)} s)`,
  );
  return record(ctx, outcome);
}

/** The most one property may take, shrinking included: 20 minutes. */
export const PROPERTY_TIME_LIMIT_MS = 20 * 60_000;

/** What is left of the property's time: its own limit, or less when the run's deadline comes first. */
function timeLimitMs(ctx: FuzzContext) {
  return ctx.deadline === undefined ? PROPERTY_TIME_LIMIT_MS : Math.max(1_000, Math.min(PROPERTY_TIME_LIMIT_MS, ctx.deadline - Date.now()));
}

/** Whether a replay leaves this property out: it runs only the property whose counterexample it replays. */
export function skipped(ctx: FuzzContext, property: string) {
  return ctx.replay !== undefined && ctx.replay.property !== property;
}

function propertySeed(seed: number, boundary: string, property: string) {
  const digest = createHash('sha256').update(`${seed}|${boundary}|${property}`).digest();
  return digest.readInt32BE(0);
}

/** A property that could not run at all (e.g. its server did not start), reported as failed. */
export function notRun(ctx: FuzzContext, boundary: string, property: string, why: string): PropertyOutcome {
  return record(ctx, { boundary, property, cases: 0, failure: `not run: ${why}` });
}

function record(ctx: FuzzContext, o: PropertyOutcome) {
  ctx.outcomes.push(o);
  return o;
}

/** A property broke: the message says which rule of the fuzz was broken and shows the answer. */
export class PropertyBroken extends Error {
  override name = 'PropertyBroken';
}

export function expect(ok: unknown, message: () => string): asserts ok {
  if (!ok) throw new PropertyBroken(message());
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  rawBody: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface HttpCall {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
}

/** Only loopback: the fuzz never sends a request anywhere else. */
export function assertLoopback(url: string) {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') throw new Error(`the fuzz sends to loopback only, not ${url}`);
}

/** One HTTP request with a deadline; a path is sent as given (raw percent signs included). */
export function http(call: HttpCall): Promise<HttpAnswer> {
  assertLoopback(call.url);
  const u = new URL(call.url);
  // new URL() normalises the path; the fuzz wants its own bytes on the request line.
  const rawPath = call.url.slice(call.url.indexOf('/', u.protocol.length + 2));
  // Framed by Content-Length whatever the method: Node sends a DELETE's body unframed otherwise.
  const headers = { ...call.headers, ...(call.body !== undefined && { 'Content-Length': String(Buffer.byteLength(call.body)) }) };
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: call.method ?? 'POST', path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(rawBody);
        } catch {
          json = undefined;
        }
        const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        resolve({ status: res.statusCode ?? 0, headers, rawBody, json });
      });
    });
    req.setTimeout(call.timeoutMs, () => req.destroy(new Error(`no answer within ${call.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(call.body);
  });
}

/**
 * Sends a body of `bytes` (declared in Content-Length) to a server and returns its answer, which may come
 * before the body is all sent: a server that refuses early answers and closes, and writing stops. On a raw
 * socket, so an answer that arrives while the client is still writing is read, not lost to an EPIPE.
 */
export function oversizedPost(url: string, headers: Record<string, string>, bytes: number, timeoutMs: number): Promise<HttpAnswer> {
  assertLoopback(url);
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    const received: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(received).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
      if (!status) return reject(new Error(raw ? `not an HTTP answer: ${raw.slice(0, 100)}` : 'the connection closed without an answer'));
      const head = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')));
      let body = Buffer.from(raw.slice(head.length + 4), 'latin1').toString('utf8');
      if (/^transfer-encoding:\s*chunked/im.test(head)) body = body.replace(/(^|\r\n)[0-9a-f]+\r\n/gi, '');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      resolve({ status: Number(status[1]), headers: {}, rawBody: body, json });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (c: Buffer) => {
      received.push(c);
      // A whole answer with a Content-Length: no need to wait for the server to close.
      const raw = Buffer.concat(received).toString('latin1');
      const end = raw.indexOf('\r\n\r\n');
      const length = /^content-length:\s*(\d+)/im.exec(raw.slice(0, end));
      if (end >= 0 && length && raw.length - end - 4 >= Number(length[1])) finish();
    });
    socket.on('error', () => undefined); // EPIPE or a reset while writing: what was received still counts
    socket.on('close', finish);
    const head = Object.entries({ Host: u.host, ...headers, 'Content-Length': String(bytes), Connection: 'close' })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    socket.write(`POST ${u.pathname} HTTP/1.1\r\n${head}\r\n\r\n`);
    // The first 64 KiB, then a second for the server to answer from the headers alone: a server that refuses
    // and closes while more is still arriving may reset the connection, and its answer would be lost.
    const first = Buffer.alloc(64 << 10, 'a');
    socket.write(first);
    const chunk = Buffer.alloc(1 << 20, 'a');
    let sent = first.length;
    const write = () => {
      while (!settled && received.length === 0 && sent < bytes && !socket.destroyed) {
        const part = sent + chunk.length <= bytes ? chunk : chunk.subarray(0, bytes - sent);
        sent += part.length;
        if (!socket.write(part)) return void socket.once('drain', write);
      }
    };
    setTimeout(write, 1_000);
  });
}

/** The resident memory of a process, in bytes, from /proc (Linux); undefined once it has exited. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface MemorySample {
  at: string;
  rss: Record<string, number | undefined>;
}

/**
 * Samples the resident memory of the server processes between batches of cases. Each server's
 * baseline is its first sample after the warm-up; the bound is checked on every later sample.
 */
export class MemoryWatch {
  readonly samples: MemorySample[] = [];
  readonly baseline: Record<string, number> = {};
  constructor(
    private readonly pids: () => Record<string, number | undefined>,
    readonly boundBytes: number,
  ) {}

  async sample(at: string) {
    // Let the servers finish what they were doing; a sample is a look, not a load.
    await new Promise((r) => setTimeout(r, 50));
    const rss = Object.fromEntries(Object.entries(this.pids()).map(([name, pid]) => [name, pid === undefined ? undefined : rssOf(pid)]));
    for (const [name, bytes] of Object.entries(rss))
      if (bytes !== undefined && this.baseline[name] === undefined) this.baseline[name] = bytes;
    this.samples.push({ at, rss });
  }

  /** The servers whose memory went past baseline + bound, with the sample where it did. */
  overBound(): string[] {
    const over: string[] = [];
    for (const name of Object.keys(this.baseline)) {
      const worst = this.samples.reduce<MemorySample | undefined>((w, s) => ((s.rss[name] ?? 0) > (w?.rss[name] ?? 0) ? s : w), undefined);
      const peak = worst?.rss[name] ?? 0;
      if (peak - this.baseline[name] > this.boundBytes) {
        over.push(`${name}: rss ${mb(peak)} at "${worst!.at}", baseline ${mb(this.baseline[name])}, bound +${mb(this.boundBytes)}`);
      }
    }
    return over;
  }
}

export const mb = (bytes: number) => `${(bytes / (1 << 20)).toFixed(1)} MB`;

/** Whether a process still runs. */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
