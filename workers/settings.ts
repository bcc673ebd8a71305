import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CebPortSettings } from '../activities/customs';
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
  /** Where the CEB messages are filed and their receipts read; by default EPORT_BASE_URL (the sandbox serves both). */
  CEB_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The filing company (the merchant or its customs agent): its customs code, name and data-exchange user number. */
  CEB_COP_CODE: z.string().min(1).max(18).optional(),
  CEB_COP_NAME: z.string().min(1).max(100).optional(),
  CEB_DXP_ID: z.string().min(1).max(30).optional(),
  /** Its customs certificate's private key (PEM), and the certificate's number, written as ds:KeyName. */
  CEB_SIGNING_KEY_FILE: z.string().min(1).optional(),
  CEB_KEY_NAME: z.string().min(1).max(100).default('ENTERPRISE-CERT'),
  /** The customs' public key or certificate (PEM), which every receipt must verify against. */
  CEB_CUSTOMS_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** The customs district of the declaration and the port of entry (4 digits). */
  CEB_CUSTOMS_CODE: z
    .string()
    .regex(/^\d{4}$/, 'must be a four-digit customs district code')
    .optional(),
  CEB_PORT_CODE: z
    .string()
    .regex(/^\d{4}$/, 'must be a four-digit customs district code')
    .optional(),
  /** Gross weight of one piece (kg) when orders carry no weight; unset, a filing that needs a weight fails. */
  CEB_DEFAULT_ITEM_WEIGHT_KG: z
    .string()
    .regex(/^\d{1,9}(\.\d{1,5})?$/, 'must be a weight in kilograms, e.g. 0.5')
    .optional(),
});

/** The CEB settings that go together: all of them, or none (the customs activities then fail, saying so). */
const CEB_REQUIRED = [
  'CEB_COP_CODE',
  'CEB_COP_NAME',
  'CEB_DXP_ID',
  'CEB_SIGNING_KEY_FILE',
  'CEB_CUSTOMS_PUBLIC_KEY_FILE',
  'CEB_CUSTOMS_CODE',
] as const;

/** The customs port's settings, as the activities take them. */
export type CebSettings = CebPortSettings;

export type WorkerSettings = z.infer<typeof workerSettingsSchema> & {
  temporal: TemporalSettings;
  buyerKeySecret: string;
  quotaTaskQueue: string;
  ceb?: CebSettings;
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
  const quotaTaskQueue = s.TEMPORAL_QUOTA_TASK_QUEUE ?? `${s.TEMPORAL_TASK_QUEUE}-quota`;
  return { ...s, temporal, buyerKeySecret, quotaTaskQueue, ceb: cebSettings(s) };
}

function cebSettings(s: z.infer<typeof workerSettingsSchema>): CebSettings | undefined {
  const missing = CEB_REQUIRED.filter((name) => s[name] === undefined);
  if (missing.length === CEB_REQUIRED.length) return undefined;
  if (missing.length > 0) throw new SettingsError(`${missing.join(', ')} must be set with the other CEB_ settings`);
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new SettingsError(`${name} cannot be read (${file}): ${(error as Error).message}`);
    }
  };
  return {
    baseUrl: s.CEB_BASE_URL ?? s.EPORT_BASE_URL,
    copCode: s.CEB_COP_CODE!,
    copName: s.CEB_COP_NAME!,
    dxpId: s.CEB_DXP_ID!,
    keyName: s.CEB_KEY_NAME,
    signingKey: read('CEB_SIGNING_KEY_FILE', s.CEB_SIGNING_KEY_FILE!),
    customsPublicKey: read('CEB_CUSTOMS_PUBLIC_KEY_FILE', s.CEB_CUSTOMS_PUBLIC_KEY_FILE!),
    customsCode: s.CEB_CUSTOMS_CODE!,
    portCode: s.CEB_PORT_CODE,
    defaultItemWeightKg: s.CEB_DEFAULT_ITEM_WEIGHT_KG,
  };
}
