import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defaultWorkflowBundlePath } from '../platform/paths';
import { SettingsError, logLevelSetting, parseSettings } from '../platform/settings';
import { loadTemporalSettings, taskQueueSetting, type TemporalSettings } from '../platform/temporal-settings';

// The worker's settings, besides Alipay+'s (alipay-plus/config.ts) and the Temporal connection's
// (platform/temporal-settings.ts).

const workerSettingsSchema = z.object({
  TEMPORAL_TASK_QUEUE: taskQueueSetting,
  /** The buyers' quota entities; by default the orders' queue with `-quota` appended. */
  TEMPORAL_QUOTA_TASK_QUEUE: z.string().min(1).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).default(9464),
  LOG_LEVEL: logLevelSetting,
  EPORT_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be the customs e-port URL, e.g. http://127.0.0.1:8090' }),
  NOTIFY_URL: z.url({ protocol: /^https?$/, error: 'must be the public URL of the notify receiver (paymentNotifyUrl)' }),
  PAYMENT_REDIRECT_URL: z.url({ protocol: /^https?$/ }).default('https://merchant.example/payment/return'),
  BUYER_KEY_SECRET_FILE: z.string({ error: 'is required: a file with the secret that keys buyer quotas' }).min(1),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).default(defaultWorkflowBundlePath()),
  /** Where the daily transaction files are downloaded from; by default ALIPAY_PLUS_BASE_URL (the sandbox serves them). */
  SETTLEMENT_FILES_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The merchant's customer id in the files' path; by default ALIPAY_PLUS_CLIENT_ID. */
  SETTLEMENT_CUSTOMER_ID: z.string().min(1).max(64).optional(),
  /** `daily`: the worker creates the daily reconciliation schedule if it is missing; `off`: it leaves schedules alone. */
  RECONCILIATION_SCHEDULE: z.enum(['daily', 'off']).default('daily'),
});

export type WorkerSettings = z.infer<typeof workerSettingsSchema> & {
  temporal: TemporalSettings;
  buyerKeySecret: string;
  quotaTaskQueue: string;
};

export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const temporal = loadTemporalSettings(env);
  const s = parseSettings(workerSettingsSchema, env, 'Worker');
  let buyerKeySecret: string;
  try {
    buyerKeySecret = readFileSync(s.BUYER_KEY_SECRET_FILE, 'utf8').trim();
  } catch (error) {
    throw new SettingsError(`BUYER_KEY_SECRET_FILE cannot be read (${s.BUYER_KEY_SECRET_FILE}): ${(error as Error).message}`);
  }
  if (buyerKeySecret.length < 16) throw new SettingsError('BUYER_KEY_SECRET_FILE must hold a secret of at least 16 characters');
  return { ...s, temporal, buyerKeySecret, quotaTaskQueue: s.TEMPORAL_QUOTA_TASK_QUEUE ?? `${s.TEMPORAL_TASK_QUEUE}-quota` };
}
