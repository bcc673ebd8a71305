import { z } from 'zod';
import { parseSettings } from '../client/connection';
import { createLogger } from '../workers/logger';
import { AesGcmCodec, keyringFromEnv } from './aes-gcm-codec';
import { startCodecServer } from './codec-server';

// `npm run codec-server`: decrypts payloads for the Web UI (`temporal server start-dev --ui-codec-endpoint`)
// and `temporal workflow show --codec-endpoint ... --codec-auth "Bearer <token>"`.

const settingsSchema = z.object({
  CODEC_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8888),
  CODEC_TOKEN: z.string({ error: 'is required: the bearer token operators give the UI and the CLI' }).min(16, 'must be at least 16 characters'),
  CODEC_ALLOWED_ORIGINS: z.string().default('http://127.0.0.1:8233,http://localhost:8233'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

async function main() {
  const s = parseSettings(settingsSchema, process.env, 'Codec server');
  const logger = createLogger(s.LOG_LEVEL, 'codec-server');
  const server = await startCodecServer({
    codec: new AesGcmCodec(keyringFromEnv()),
    token: s.CODEC_TOKEN,
    allowedOrigins: s.CODEC_ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    host: s.CODEC_HOST,
    port: s.CODEC_PORT,
    logger,
  });
  logger.info({ url: server.url }, 'codec server listening');
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
