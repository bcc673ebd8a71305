import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { encryptingDataConverter } from '../platform/data-converter';
import { createLogger } from '../platform/logger';
import { keyringFromEnv } from '../platform/payload-keys';
import { SettingsError, logLevelSetting, parseSettings } from '../platform/settings';
import { connectClient } from '../platform/temporal-connection';
import { loadTemporalSettings } from '../platform/temporal-settings';
import { startNotifyReceiver } from './server';

// `npm run notify-receiver`: Alipay+ posts notifyPayment here, and the receiver hands it to the order.

const settingsSchema = z.object({
  NOTIFY_HOST: z.string().min(1).default('127.0.0.1'),
  NOTIFY_PORT: z.coerce.number().int().min(0).max(65535).default(8091),
  NOTIFY_PATH: z.string().startsWith('/').default('/alipay/notify'),
  ALIPAY_PLUS_CLIENT_ID: z.string({ error: 'is required' }).min(1),
  ALIPAY_PLUS_PRIVATE_KEY_FILE: z.string({ error: 'is required: the merchant private key, which signs acknowledgements' }).min(1),
  ALIPAY_PLUS_PUBLIC_KEY_FILE: z.string({ error: "is required: Alipay+'s public key, which verifies notifications" }).min(1),
  ALIPAY_PLUS_KEY_VERSION: z.coerce.number().int().min(1).default(1),
  LOG_LEVEL: logLevelSetting,
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
