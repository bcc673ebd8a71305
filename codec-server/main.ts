import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AesGcmCodec } from '../platform/aes-gcm-codec';
import { createLogger } from '../platform/logger';
import { OperatorVerifier, operatorIdentitySettings } from '../platform/operator-identity';
import { keyringFromEnv } from '../platform/payload-keys';
import { SettingsError, logLevelSetting, parseSettings } from '../platform/settings';
import { DEFAULT_CODEC_LIMITS, startCodecServer } from './server';

// `npm run codec-server`: decrypts payloads for the Web UI (which passes the signed-in user's access
// token) and for `temporal workflow show --codec-endpoint ... --codec-auth "Bearer <token>"`. Who may
// decrypt is set by the OPERATOR_* settings (platform/operator-identity.ts, docs/configuration.md).

const settingsSchema = z.object({
  CODEC_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8888),
  // A second listener, HTTPS, for the Web UI: it passes the user's access token only to an https:// endpoint.
  CODEC_TLS_PORT: z.coerce.number().int().min(0).max(65535).default(8889),
  CODEC_TLS_CERT_FILE: z.string().min(1).optional(),
  CODEC_TLS_KEY_FILE: z.string().min(1).optional(),
  CODEC_ALLOWED_ORIGINS: z.string().default('http://127.0.0.1:8233,http://localhost:8233'),
  CODEC_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(DEFAULT_CODEC_LIMITS.bodyLimitBytes),
  CODEC_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_CODEC_LIMITS.maxInFlight),
  LOG_LEVEL: logLevelSetting,
});

async function main() {
  const s = parseSettings(settingsSchema, process.env, 'Codec server');
  const identity = operatorIdentitySettings(process.env);
  if (!s.CODEC_TLS_CERT_FILE !== !s.CODEC_TLS_KEY_FILE)
    throw new SettingsError('Codec server settings are invalid: set both CODEC_TLS_CERT_FILE and CODEC_TLS_KEY_FILE, or neither');
  const logger = createLogger(s.LOG_LEVEL, 'codec-server');
  const common = {
    codec: new AesGcmCodec(keyringFromEnv()),
    verifier: new OperatorVerifier(identity),
    allowedOrigins: s.CODEC_ALLOWED_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    host: s.CODEC_HOST,
    logger,
    limits: { bodyLimitBytes: s.CODEC_BODY_LIMIT_BYTES, maxInFlight: s.CODEC_MAX_IN_FLIGHT },
  };
  const server = await startCodecServer({ ...common, port: s.CODEC_PORT });
  const tls =
    s.CODEC_TLS_CERT_FILE && s.CODEC_TLS_KEY_FILE
      ? await startCodecServer({
          ...common,
          port: s.CODEC_TLS_PORT,
          tls: { cert: readFileSync(s.CODEC_TLS_CERT_FILE), key: readFileSync(s.CODEC_TLS_KEY_FILE) },
        })
      : undefined;
  logger.info(
    {
      url: server.url,
      tlsUrl: tls?.url,
      oidcIssuer: identity.OPERATOR_OIDC_ISSUER,
      decryptGroup: identity.OPERATOR_DECRYPT_GROUP,
      tokensFile: identity.OPERATOR_TOKENS_FILE,
    },
    'codec server listening',
  );
  const stop = () => void Promise.all([server.close(), tls?.close()]).then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
