import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SettingsError, parseSettings, temporalSettingsSchema } from '../client/connection';
import { projectRoot } from '../dev/paths';

// The worker's settings, besides Alipay+'s (alipay-plus/config.ts) and Temporal's (client/connection.ts).

const workerSettingsSchema = temporalSettingsSchema.extend({
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).default(9464),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EPORT_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be the customs e-port URL, e.g. http://127.0.0.1:8090' }),
  NOTIFY_URL: z.url({ protocol: /^https?$/, error: 'must be the public URL of the notify receiver (paymentNotifyUrl)' }),
  PAYMENT_REDIRECT_URL: z.url({ protocol: /^https?$/ }).default('https://merchant.example/payment/return'),
  BUYER_KEY_SECRET_FILE: z.string({ error: 'is required: a file with the secret that keys buyer quotas' }).min(1),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).default(join(projectRoot(), 'lib', 'workflow-bundle.js')),
});

export type WorkerSettings = z.infer<typeof workerSettingsSchema> & { buyerKeySecret: string };

export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const s = parseSettings(workerSettingsSchema, env, 'Worker');
  let buyerKeySecret: string;
  try {
    buyerKeySecret = readFileSync(s.BUYER_KEY_SECRET_FILE, 'utf8').trim();
  } catch (error) {
    throw new SettingsError(`BUYER_KEY_SECRET_FILE cannot be read (${s.BUYER_KEY_SECRET_FILE}): ${(error as Error).message}`);
  }
  if (buyerKeySecret.length < 16) throw new SettingsError('BUYER_KEY_SECRET_FILE must hold a secret of at least 16 characters');
  return { ...s, buyerKeySecret };
}
