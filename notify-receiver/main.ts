import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { encryptingDataConverter } from '../platform/data-converter';
import { createLogger } from '../platform/logger';
import { keyringFromEnv } from '../platform/payload-keys';
import { SettingsError, logLevelSetting, parseSettings } from '../platform/settings';
import { connectClient } from '../platform/temporal-connection';
import { loadTemporalSettings, taskQueueSetting } from '../platform/temporal-settings';
import { DEFAULT_LIMITS, startNotifyReceiver } from './server';

// `npm run notify-receiver`: Alipay+ posts notifyPayment here, and the receiver hands it to the order.

/** A duration in milliseconds, from 100 ms to a day. */
const milliseconds = (fallback: number) => z.coerce.number().int().min(100).max(86_400_000).default(fallback);

const settingsSchema = z
  .object({
    NOTIFY_HOST: z.string().min(1).default('127.0.0.1'),
    NOTIFY_PORT: z.coerce.number().int().min(0).max(65535).default(8091),
    NOTIFY_PATH: z.string().startsWith('/').default('/alipay/notify'),
    ALIPAY_PLUS_CLIENT_ID: z.string({ error: 'is required' }).min(1),
    ALIPAY_PLUS_PRIVATE_KEY_FILE: z.string({ error: 'is required: the merchant private key, which signs acknowledgements' }).min(1),
    ALIPAY_PLUS_PUBLIC_KEY_FILE: z.string({ error: "is required: Alipay+'s public key, which verifies notifications" }).min(1),
    ALIPAY_PLUS_KEY_VERSION: z.coerce.number().int().min(1).default(1),
    TEMPORAL_TASK_QUEUE: taskQueueSetting,
    LOG_LEVEL: logLevelSetting,
    // The limits (docs/configuration.md#the-notify-receivers-limits); defaults in DEFAULT_LIMITS.
    NOTIFY_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(DEFAULT_LIMITS.bodyLimitBytes),
    NOTIFY_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_LIMITS.maxInFlight),
    NOTIFY_HEADERS_TIMEOUT_MS: milliseconds(DEFAULT_LIMITS.headersTimeoutMs),
    NOTIFY_REQUEST_TIMEOUT_MS: milliseconds(DEFAULT_LIMITS.requestTimeoutMs),
    NOTIFY_CONNECTION_TIMEOUT_MS: milliseconds(DEFAULT_LIMITS.connectionTimeoutMs),
    NOTIFY_KEEP_ALIVE_TIMEOUT_MS: milliseconds(DEFAULT_LIMITS.keepAliveTimeoutMs),
    NOTIFY_UPDATE_DEADLINE_MS: milliseconds(DEFAULT_LIMITS.updateDeadlineMs),
    // Up to 30 days: a local stack whose sandbox clock a test moved on by days widens it (dev/stack.ts).
    NOTIFY_REQUEST_TIME_WINDOW_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .max(30 * 86_400_000)
      .default(DEFAULT_LIMITS.requestTimeWindowMs),
  })
  .refine((s) => s.NOTIFY_HEADERS_TIMEOUT_MS <= s.NOTIFY_REQUEST_TIMEOUT_MS, {
    path: ['NOTIFY_HEADERS_TIMEOUT_MS'],
    message: 'must not be longer than NOTIFY_REQUEST_TIMEOUT_MS',
  })
  .refine((s) => s.NOTIFY_CONNECTION_TIMEOUT_MS > s.NOTIFY_UPDATE_DEADLINE_MS, {
    path: ['NOTIFY_CONNECTION_TIMEOUT_MS'],
    message: 'must be longer than NOTIFY_UPDATE_DEADLINE_MS, or a slow update loses its connection',
  });

function pem(setting: string, file: string, kind: 'private' | 'public') {
  try {
    const text = readFileSync(file, 'utf8');
    return kind === 'private' ? createPrivateKey(text) : createPublicKey(text);
  } catch (error) {
    throw new SettingsError(`${setting} (${file}) is not a readable PEM ${kind} key: ${(error as Error).message}`);
  }
}

async function main() {
  const temporalSettings = loadTemporalSettings();
  const s = parseSettings(settingsSchema, process.env, 'Notify receiver');
  const dataConverter = encryptingDataConverter(keyringFromEnv());
  const logger = createLogger(s.LOG_LEVEL, 'notify-receiver');
  const temporal = await connectClient(temporalSettings, dataConverter);
  const receiver = await startNotifyReceiver({
    temporal,
    clientId: s.ALIPAY_PLUS_CLIENT_ID,
    alipayPlusPublicKey: pem('ALIPAY_PLUS_PUBLIC_KEY_FILE', s.ALIPAY_PLUS_PUBLIC_KEY_FILE, 'public'),
    merchantPrivateKey: pem('ALIPAY_PLUS_PRIVATE_KEY_FILE', s.ALIPAY_PLUS_PRIVATE_KEY_FILE, 'private'),
    keyVersion: s.ALIPAY_PLUS_KEY_VERSION,
    host: s.NOTIFY_HOST,
    port: s.NOTIFY_PORT,
    path: s.NOTIFY_PATH,
    logger,
    bodyLimitBytes: s.NOTIFY_BODY_LIMIT_BYTES,
    maxInFlight: s.NOTIFY_MAX_IN_FLIGHT,
    headersTimeoutMs: s.NOTIFY_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: s.NOTIFY_REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: s.NOTIFY_CONNECTION_TIMEOUT_MS,
    keepAliveTimeoutMs: s.NOTIFY_KEEP_ALIVE_TIMEOUT_MS,
    updateDeadlineMs: s.NOTIFY_UPDATE_DEADLINE_MS,
    requestTimeWindowMs: s.NOTIFY_REQUEST_TIME_WINDOW_MS,
    ordersTaskQueue: s.TEMPORAL_TASK_QUEUE,
  });
  logger.info({ url: receiver.url }, 'notify receiver listening');
  const stop = async (signal: string) => {
    logger.info({ signal }, 'notify receiver stopping');
    await receiver.close();
    await temporal.connection.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
