import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants as osConstants, devNull } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import type { DataConverter } from '@temporalio/common';
import { ORDER_SEARCH_ATTRIBUTES, cliTypeOf } from '../domain/search-attributes';
import { DEV_CEB_COP_CODE, DEV_KEY_FILES } from '../sandbox/dev-keys';
import { AesGcmCodec, parseKeyring } from '../platform/aes-gcm-codec';
import { defaultWorkflowBundlePath, projectRoot } from '../platform/paths';
import { bundleWorkflows } from '../platform/workflow-bundle';
import { prebuiltBundlePath } from './prebuilt-bundle';
import { SandboxHelpers } from '../sandbox/helper-client';
import { cliExecutable, uiServerExecutable } from './temporal-binaries';
import { DEV_DECRYPT_GROUP, DEV_OPERATORS, type DevOperator } from './oidc-provider';
import { writeUiServerConfig } from './ui-server-config';
import { ensureLocalFiles } from './local-files';

// The whole product on one machine, each part its own process: `temporal server start-dev` (headless) with
// the search attributes, the Temporal Web UI server behind sign-in at the local OpenID provider, the codec
// server, the sandbox, the notify receiver and the worker. The demo and the end-to-end tests run on it.

const ROOT = projectRoot();

export interface StackOptions {
  /** Fixed ports for the demo; tests pass nothing and get free ones. */
  ports?: Partial<Record<'temporal' | 'ui' | 'sandbox' | 'notify' | 'metrics' | 'codec' | 'codecTls' | 'oidc', number>>;
  /** Where each process writes its log. */
  logDir?: string;
  /** Alipay+'s retransmission gap in the sandbox; 5 minutes unless shortened. */
  retransmitGapMs?: number;
  /** Refunds processed this long after they are submitted instead of at the sandbox's daily cut-off. */
  refundSettleDelayMs?: number;
  /** The sandbox's notification retry gaps times this (SANDBOX_NOTIFY_RETRY_SCALE); Alipay+'s schedule unless set. */
  notifyRetryScale?: number;
  taskQueue?: string;
  /** The payload keyring file to use instead of `.dev/payload-keys`, e.g. the test-only key of the recorded histories. */
  payloadKeysFile?: string;
  /**
   * Keep Temporal's state in this SQLite file instead of in memory, so the server can be killed and
   * started again (`restartServer`) without losing a workflow.
   */
  temporalDbFile?: string;
  /**
   * The notify receiver's Request-Time window (NOTIFY_REQUEST_TIME_WINDOW_MS), 5 minutes unless set. A test
   * that moves the sandbox clock on by a day widens it: the sandbox then signs its notifications a day ahead.
   */
  notifyRequestTimeWindowMs?: number;
  /**
   * Time between the CEB inventory list's states in the sandbox's customs. The local stack answers in
   * seconds, as its customs review does (LOCAL_CEB_STEP_AFTER_MS); the sandbox alone defaults to 2 minutes.
   */
  cebStepAfterMs?: number;
}

/** The local stack's customs moves an inventory list on every 2 seconds. */
export const LOCAL_CEB_STEP_AFTER_MS = 2_000;

export interface Stack {
  temporalAddress: string;
  uiUrl: string;
  sandboxUrl: string;
  /** The sandbox's test helpers: pay, fail, customs rules, faults, clock, ledger. */
  helpers: SandboxHelpers;
  notifyUrl: string;
  metricsUrl: string;
  /** The codec server, and the local CLI operator's personal token (`Authorization: Bearer <token>`, operator `local-cli`). */
  codecUrl: string;
  codecToken: string;
  /** The codec server's HTTPS listener (self-signed, .dev/codec-tls/), the Web UI's codec endpoint. */
  codecUiUrl: string;
  /** The local OpenID provider the Web UI signs in through, and its development operators. */
  oidcIssuer: string;
  operators: Record<'reader' | 'viewer', DevOperator>;
  /** The keyring file the processes encrypt payloads with. */
  payloadKeysFile: string;
  taskQueue: string;
  /** The secret the worker keys buyer quotas with (`BUYER_KEY_SECRET_FILE`). */
  buyerKeySecretFile: string;
  keysDir: string;
  logDir: string;
  client: Client;
  /** The data converter the processes use (payloads encrypted with the keyring), e.g. to replay a history. */
  dataConverter: DataConverter;
  workflowUrl(workflowId: string): string;
  startWorker(): Promise<void>;
  /** Kills the worker with a signal and waits for it to exit. */
  stopWorker(signal?: NodeJS.Signals): Promise<void>;
  /** Whether the worker process is alive: it may exit by itself, e.g. when it loses the server for too long. */
  workerRunning(): boolean;
  /** The process ids of the running parts, e.g. for the bench to read their CPU time and memory in /proc. */
  pids(): Partial<Record<'worker' | 'temporal' | 'sandbox' | 'notify-receiver' | 'codec-server' | 'oidc-provider' | 'temporal-ui', number>>;
  startReceiver(): Promise<void>;
  /** Kills the notify receiver with a signal and waits for it to exit. */
  stopReceiver(signal?: NodeJS.Signals): Promise<void>;
  /** Kills the Temporal server with a signal and waits for it to exit; only a stack with `temporalDbFile` keeps its workflows. */
  stopServer(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the Temporal server again on the same ports (and file) and waits until it answers. */
  startServer(): Promise<void>;
  /** SIGKILL to the Temporal server, then starts it again; `temporalDbFile` must be set. */
  restartServer(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

/** Probes until it answers; gives up at the deadline, or at once when the process that should answer has exited. */
async function until<T>(what: string, probe: () => Promise<T>, child?: Child, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child?.exited) throw new Error(`${what} exited (${child.exited}) before it answered; its log: ${child.logFile}`);
    try {
      return await probe();
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000}s: ${String(last)}`);
}

async function httpOk(url: string) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
}

/**
 * The processes connect to this stack only: none of the shell's TEMPORAL_* variables, and no profile
 * file (envconfig would otherwise read ~/.config/temporalio/temporal.toml, e.g. a Cloud API key).
 */
const inheritedEnv = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_'))),
  TEMPORAL_CONFIG_FILE: devNull,
});

class Child {
  proc: ChildProcess | undefined;
  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
  ) {}

  start() {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.proc = spawn(this.command, this.args, { cwd: ROOT, env: { ...inheritedEnv(), ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.pipe(log);
    this.proc.stderr!.pipe(log);
    this.proc.once('exit', () => log.end());
  }

  /** How the process ended, once it has. */
  get exited(): string | undefined {
    if (!this.proc || this.running) return undefined;
    return this.proc.signalCode ? `signal ${this.proc.signalCode}` : `exit code ${this.proc.exitCode}`;
  }

  get running() {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
    const p = this.proc;
    if (!p || !this.running) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/** What kills each running stack's children, for the signal handlers below. */
const stackKillers = new Set<() => void>();

/**
 * A SIGTERM or SIGHUP ends the process without its 'exit' handlers, so the stacks' children would outlive
 * it. (SIGINT from a terminal reaches the children too, and the demo handles it to stop gracefully.)
 */
function killOnSignal(killAll: () => void) {
  if (stackKillers.size === 0) {
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        stackKillers.forEach((kill) => kill());
        process.exit(128 + osConstants.signals[signal]);
      });
    }
  }
  stackKillers.add(killAll);
}

/**
 * Starts the local stack. Free ports are picked before the processes bind them, so another process (start-dev
 * picks ports for its own services too) can take one meanwhile: a process that dies of a port in use is
 * started again, with the whole stack, on new ports. Fixed ports (the demo's) are not retried.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStackOnce(options);
    } catch (error) {
      if (attempt >= 3 || options.ports || !diedOfPortInUse(error)) throw error;
      console.error(`[stack] a port was taken before its process bound it; starting again on new ports (${(error as Error).message})`);
    }
  }
}

/** Whether the child named in a start error died because its port was in use: its log says so. */
function diedOfPortInUse(error: unknown): boolean {
  const log = /its log: (\S+)/.exec(String((error as Error)?.message))?.[1];
  if (!log || !existsSync(log)) return false;
  return /address already in use|EADDRINUSE/.test(readFileSync(log, 'utf8'));
}

async function startStackOnce(options: StackOptions): Promise<Stack> {
  const port = async (name: keyof NonNullable<StackOptions['ports']>) => options.ports?.[name] ?? (await freePort());
  const ports = {
    temporal: await port('temporal'),
    ui: await port('ui'),
    sandbox: await port('sandbox'),
    notify: await port('notify'),
    metrics: await port('metrics'),
    codec: await port('codec'),
    codecTls: await port('codecTls'),
    oidc: await port('oidc'),
  };
  const logDir = options.logDir ?? join(ROOT, '.dev', 'logs');
  mkdirSync(logDir, { recursive: true });
  const local = ensureLocalFiles();
  const { keys, codecToken, operatorTokensFile } = local;
  const secretFile = local.buyerKeySecretFile;
  const payloadKeysFile = options.payloadKeysFile ?? local.payloadKeysFile;
  const codecUrl = `http://127.0.0.1:${ports.codec}`;
  const codecUiUrl = `https://127.0.0.1:${ports.codecTls}`;
  const { codecTls } = local;
  const oidcIssuer = `http://127.0.0.1:${ports.oidc}`;
  const uiClient = {
    clientId: 'temporal-ui',
    clientSecret: randomBytes(24).toString('hex'),
    redirectUri: `http://127.0.0.1:${ports.ui}/auth/sso/callback`,
  };
  const taskQueue = options.taskQueue ?? 'alipay-orders';
  const temporalAddress = `127.0.0.1:${ports.temporal}`;
  const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
  const helpers = new SandboxHelpers(sandboxUrl);
  const notifyUrl = `http://127.0.0.1:${ports.notify}/alipay/notify`;
  const metricsUrl = `http://127.0.0.1:${ports.metrics}/metrics`;
  const uiUrl = `http://127.0.0.1:${ports.ui}`;

  const cli = cliExecutable()?.path;
  if (!cli) throw new Error('no Temporal CLI: run `bash dev/setup.sh`, or set TEMPORAL_CLI_PATH');
  const uiServerBin = uiServerExecutable()?.path;
  if (!uiServerBin) throw new Error('no Temporal UI server: run `bash dev/setup.sh`, or set TEMPORAL_UI_SERVER_PATH');
  const tsx = (file: string) => ['--import', 'tsx', join(ROOT, file)];
  // WORKER_V8_LOG=<file> profiles the worker: V8 writes its tick log as it goes, so a killed worker leaves
  // one too (read it with `node --prof-process <file>`).
  const v8TickLog = (file?: string) => (file ? ['--prof', `--logfile=${file}`, '--no-logfile-per-isolate'] : []);
  // WORKER_CPU_PROF=<dir> writes one .cpuprofile per thread (workflow threads included) when the worker shuts down.
  const cpuProfile = (dir?: string) => (dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []);
  const alipayEnv = {
    ALIPAY_PLUS_BASE_URL: sandboxUrl,
    ALIPAY_PLUS_CLIENT_ID: 'SANDBOX_MERCHANT',
    ALIPAY_PLUS_PRIVATE_KEY_FILE: join(keys.dir, DEV_KEY_FILES.merchantPrivate),
    ALIPAY_PLUS_PUBLIC_KEY_FILE: join(keys.dir, DEV_KEY_FILES.alipayPlusPublic),
  };
  // The filing enterprise and the customs on development keys; the sandbox registers the enterprise's public key.
  const cebEnv = {
    CEB_COP_CODE: DEV_CEB_COP_CODE,
    CEB_COP_NAME: 'Sandbox Merchant Ltd',
    CEB_DXP_ID: 'DXPENT0000000001',
    CEB_SIGNING_KEY_FILE: join(keys.dir, DEV_KEY_FILES.enterprisePrivate),
    CEB_CUSTOMS_PUBLIC_KEY_FILE: join(keys.dir, DEV_KEY_FILES.customsPublic),
    CEB_CUSTOMS_CODE: '2991',
    CEB_DEFAULT_ITEM_WEIGHT_KG: '0.5',
  };
  const temporalEnv = {
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    PAYLOAD_KEYS_FILE: payloadKeysFile,
  };
  const log = (name: string) => join(logDir, `${name}.log`);

  const server = new Child(
    'temporal',
    cli,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(ports.temporal),
      // The Web UI is the separate UI server below, behind sign-in.
      '--headless',
      '--log-level',
      'warn',
      '--log-format',
      'json',
      ...ORDER_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${cliTypeOf(k)}`]),
      ...(options.temporalDbFile ? ['--db-filename', options.temporalDbFile] : []),
    ],
    {},
    log('temporal'),
  );
  const sandbox = new Child(
    'sandbox',
    process.execPath,
    tsx('sandbox/main.ts'),
    {
      SANDBOX_PORT: String(ports.sandbox),
      KEYS_DIR: keys.dir,
      ...(options.retransmitGapMs && { SANDBOX_RETRANSMIT_GAP_MS: String(options.retransmitGapMs) }),
      ...(options.refundSettleDelayMs !== undefined && { SANDBOX_REFUND_SETTLE_DELAY_MS: String(options.refundSettleDelayMs) }),
      ...(options.notifyRetryScale !== undefined && { SANDBOX_NOTIFY_RETRY_SCALE: String(options.notifyRetryScale) }),
      SANDBOX_CEB_STEP_AFTER_MS: String(options.cebStepAfterMs ?? LOCAL_CEB_STEP_AFTER_MS),
    },
    log('sandbox'),
  );
  const receiver = new Child(
    'notify-receiver',
    process.execPath,
    tsx('notify-receiver/main.ts'),
    {
      ...temporalEnv,
      ...alipayEnv,
      NOTIFY_PORT: String(ports.notify),
      ...(options.notifyRequestTimeWindowMs !== undefined && { NOTIFY_REQUEST_TIME_WINDOW_MS: String(options.notifyRequestTimeWindowMs) }),
    },
    log('notify-receiver'),
  );
  const codec = new Child(
    'codec-server',
    process.execPath,
    tsx('codec-server/main.ts'),
    {
      CODEC_PORT: String(ports.codec),
      CODEC_TLS_PORT: String(ports.codecTls),
      CODEC_TLS_CERT_FILE: codecTls.certFile,
      CODEC_TLS_KEY_FILE: codecTls.keyFile,
      CODEC_ALLOWED_ORIGINS: uiUrl,
      PAYLOAD_KEYS_FILE: payloadKeysFile,
      OPERATOR_OIDC_ISSUER: oidcIssuer,
      OPERATOR_DECRYPT_GROUP: DEV_DECRYPT_GROUP,
      OPERATOR_TOKENS_FILE: operatorTokensFile,
    },
    log('codec-server'),
  );
  const oidc = new Child(
    'oidc-provider',
    process.execPath,
    tsx('dev/oidc-provider.ts'),
    {
      OIDC_PORT: String(ports.oidc),
      OIDC_CLIENT_ID: uiClient.clientId,
      OIDC_CLIENT_SECRET: uiClient.clientSecret,
      OIDC_REDIRECT_URI: uiClient.redirectUri,
    },
    log('oidc-provider'),
  );
  // The UI server reads <root>/config/<env>.yaml; the file holds the client secret, so it is private to this stack.
  const uiRoot = writeUiServerConfig(join(logDir, `ui-server-${ports.ui}`), {
    temporalAddress,
    port: ports.ui,
    uiUrl,
    issuer: oidcIssuer,
    client: uiClient,
    codecUrl: codecUiUrl,
  });
  const ui = new Child('temporal-ui', uiServerBin, ['--root', uiRoot, '--env', 'local', 'start'], {}, log('temporal-ui'));
  // The test runner's bundle when it built one for the run; else this stack bundles the workflows.
  const prebuiltBundle = prebuiltBundlePath();
  const bundlePath = prebuiltBundle ?? defaultWorkflowBundlePath(ROOT);
  const worker = new Child(
    'worker',
    process.execPath,
    [...v8TickLog(process.env.WORKER_V8_LOG), ...cpuProfile(process.env.WORKER_CPU_PROF), ...tsx('workers/main.ts')],
    {
      ...temporalEnv,
      ...alipayEnv,
      METRICS_PORT: String(ports.metrics),
      EPORT_BASE_URL: sandboxUrl,
      ...cebEnv,
      NOTIFY_URL: notifyUrl,
      BUYER_KEY_SECRET_FILE: secretFile,
      WORKFLOW_BUNDLE_PATH: bundlePath,
    },
    log('worker'),
  );
  const children = [worker, receiver, ui, codec, oidc, sandbox, server];
  const killAll = () => children.forEach((c) => c.running && c.proc!.kill('SIGKILL'));
  process.once('exit', killAll);
  killOnSignal(killAll);

  /** A new connection that the server has answered. */
  const serverAnswers = async () => {
    const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 1_000 });
    try {
      await connection.workflowService.getSystemInfo({});
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  };
  const startServer = async () => {
    server.start();
    await (await until('temporal server start-dev', serverAnswers, server)).close();
  };

  try {
    server.start();
    sandbox.start();
    codec.start();
    oidc.start();
    // The UI server reads the provider's discovery document when it starts, so the provider comes first.
    const startUi = async () => {
      await until('OpenID provider', () => httpOk(`${oidcIssuer}/.well-known/openid-configuration`), oidc);
      ui.start();
      await until('Temporal UI server', () => httpOk(`${uiUrl}/healthz`), ui);
    };
    const dataConverter: DataConverter = { payloadCodecs: [new AesGcmCodec(parseKeyring(readFileSync(payloadKeysFile, 'utf8')))] };
    const [client] = await Promise.all([
      until(
        'temporal server start-dev',
        async () => new Client({ connection: await serverAnswers(), namespace: 'default', dataConverter }),
        server,
      ),
      until('sandbox', () => helpers.clock(), sandbox),
      until('codec server', () => httpOk(`${codecUrl}/healthz`), codec),
      startUi(),
      prebuiltBundle ?? bundleWorkflows(bundlePath),
    ]);
    const startWorker = async () => {
      worker.start();
      await until('worker', () => httpOk(metricsUrl), worker);
    };
    const startReceiver = async () => {
      receiver.start();
      await until('notify receiver', () => httpOk(`http://127.0.0.1:${ports.notify}/healthz`), receiver);
    };
    await Promise.all([startReceiver(), startWorker()]);

    return {
      temporalAddress,
      uiUrl,
      sandboxUrl,
      helpers,
      notifyUrl,
      metricsUrl,
      codecUrl,
      codecToken,
      codecUiUrl,
      oidcIssuer,
      operators: DEV_OPERATORS,
      payloadKeysFile,
      taskQueue,
      buyerKeySecretFile: secretFile,
      keysDir: keys.dir,
      logDir,
      client,
      dataConverter,
      workflowUrl: (id) => `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(id)}`,
      startWorker,
      stopWorker: (signal = 'SIGTERM') => worker.stop(signal),
      workerRunning: () => worker.running,
      pids: () => Object.fromEntries(children.filter((c) => c.running).map((c) => [c.name, c.proc!.pid!])),
      startReceiver,
      stopReceiver: (signal = 'SIGTERM') => receiver.stop(signal),
      stopServer: (signal = 'SIGTERM') => server.stop(signal),
      startServer,
      restartServer: async () => {
        if (!options.temporalDbFile)
          throw new Error('restartServer needs a stack started with temporalDbFile: its workflows would be lost');
        await server.stop('SIGKILL');
        await startServer();
      },
      stop: async () => {
        await client.connection.close();
        for (const c of children) await c.stop();
        process.removeListener('exit', killAll);
      },
    };
  } catch (error) {
    killAll();
    throw new Error(`${(error as Error).message} (logs in ${logDir})`, { cause: error });
  }
}

/** What another process needs to use a running stack: its addresses and files. Its processes stay with their starter. */
export const stackAddressSchema = z.object({
  temporalAddress: z.string().min(1),
  uiUrl: z.string().url(),
  sandboxUrl: z.string().url(),
  notifyUrl: z.string().url(),
  metricsUrl: z.string().url(),
  codecUrl: z.string().url(),
  codecToken: z.string().min(1),
  codecUiUrl: z.string().url(),
  oidcIssuer: z.string().url(),
  payloadKeysFile: z.string().min(1),
  taskQueue: z.string().min(1),
  buyerKeySecretFile: z.string().min(1),
  keysDir: z.string().min(1),
  logDir: z.string().min(1),
});
export type StackAddress = z.infer<typeof stackAddressSchema>;

export function addressOf(stack: Stack): StackAddress {
  return stackAddressSchema.parse(stack);
}

/**
 * A stack another process started (the test runner's shared one): its servers, a client of this process's
 * own, and no hand on its processes, whose kills would break the other files using it.
 */
export async function attachStack(address: StackAddress): Promise<Stack> {
  const a = stackAddressSchema.parse(address);
  const dataConverter: DataConverter = { payloadCodecs: [new AesGcmCodec(parseKeyring(readFileSync(a.payloadKeysFile, 'utf8')))] };
  const connection = await Connection.connect({ address: a.temporalAddress });
  const notOurs = (what: string) => () =>
    Promise.reject(new Error(`${what}: a shared stack's processes belong to the process that started it`));
  return {
    ...a,
    helpers: new SandboxHelpers(a.sandboxUrl),
    operators: DEV_OPERATORS,
    client: new Client({ connection, namespace: 'default', dataConverter }),
    dataConverter,
    workflowUrl: (id) => `${a.uiUrl}/namespaces/default/workflows/${encodeURIComponent(id)}`,
    startWorker: notOurs('startWorker'),
    stopWorker: notOurs('stopWorker'),
    workerRunning: () => true,
    pids: () => ({}),
    startReceiver: notOurs('startReceiver'),
    stopReceiver: notOurs('stopReceiver'),
    stopServer: notOurs('stopServer'),
    startServer: notOurs('startServer'),
    restartServer: notOurs('restartServer'),
    stop: () => connection.close(),
  };
}
