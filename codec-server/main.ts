import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AesGcmCodec } from '../platform/aes-gcm-codec';
import { createLogger } from '../platform/logger';
import { keyringFromEnv } from '../platform/payload-keys';
import { SettingsError, logLevelSetting, parseSettings } from '../platform/settings';
import { startCodecServer } from './server';

// `npm run codec-server`: decrypts payloads for the Web UI (`temporal server start-dev --ui-codec-endpoint`)
// and `temporal workflow show --codec-endpoint ... --codec-auth "Bearer <token>"`.
// The token comes from CODEC_TOKEN or, as docker-compose.yml hands it over, from the file CODEC_TOKEN_FILE.

const TOKEN_MIN = 16;

const settingsSchema = z
  .object({
    CODEC_HOST: z.string().min(1).default('127.0.0.1'),
    CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8888),
    // The token itself, or (docker-compose: a compose secret) the file that holds it.
    CODEC_TOKEN: z.string().min(TOKEN_MIN, `must be at least ${TOKEN_MIN} characters`).optional(),
    CODEC_TOKEN_FILE: z.string().min(1).optional(),
    CODEC_ALLOWED_ORIGINS: z.string().default('http://127.0.0.1:8233,http://localhost:8233'),
    LOG_LEVEL: logLevelSetting,
  })
  .superRefine((s, ctx) => {
    if (!s.CODEC_TOKEN && !s.CODEC_TOKEN_FILE) {
      ctx.addIssue({
        code: 'custom',
        path: ['CODEC_TOKEN'],
        message: 'or CODEC_TOKEN_FILE is required: the bearer token operators give the UI and the CLI, or a file holding it',
      });
    } else if (s.CODEC_TOKEN && s.CODEC_TOKEN_FILE) {
      ctx.addIssue({ code: 'custom', path: ['CODEC_TOKEN'], message: 'and CODEC_TOKEN_FILE are both set: set only one of them' });
    }
  });

/** The token from CODEC_TOKEN, or read from the file CODEC_TOKEN_FILE names (surrounding whitespace dropped). */
function tokenOf(s: z.infer<typeof settingsSchema>): string {
  if (s.CODEC_TOKEN) return s.CODEC_TOKEN;
  let token: string;
  try {
    token = readFileSync(s.CODEC_TOKEN_FILE!, 'utf8').trim();
  } catch (error) {
    throw new SettingsError(
      `Codec server settings are invalid: CODEC_TOKEN_FILE cannot be read (${s.CODEC_TOKEN_FILE}): ${(error as Error).message}`,
    );
  }
  if (token.length < TOKEN_MIN) {
    throw new SettingsError(
      `Codec server settings are invalid: CODEC_TOKEN_FILE (${s.CODEC_TOKEN_FILE}) must hold a token of at least ${TOKEN_MIN} characters`,
    );
  }
  return token;
}

async function main() {
  const s = parseSettings(settingsSchema, process.env, 'Codec server');
  const token = tokenOf(s);
  const logger = createLogger(s.LOG_LEVEL, 'codec-server');
  const server = await startCodecServer({
    codec: new AesGcmCodec(keyringFromEnv()),
    token,
    allowedOrigins: s.CODEC_ALLOWED_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
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
