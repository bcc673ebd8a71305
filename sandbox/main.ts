import pino from 'pino';
import { z } from 'zod';
import { DEV_CEB_COP_CODE, ensureDevKeys } from './dev-keys';
import { DEFAULT_LIMITS } from './http-limits';
import { startSandbox } from './server';

// `npm run sandbox`: the local Alipay+ and customs e-port on 127.0.0.1.

const env = z
  .object({
    SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
    /** Alipay+'s retransmission gap is 5 minutes; the demo shortens it, as Alipay+ says it may. */
    SANDBOX_RETRANSMIT_GAP_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .default(5 * 60_000),
    /** The hour (UTC) of the daily refund cut-off; 16 is 00:00 in Beijing. */
    SANDBOX_REFUND_CUTOFF_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(16),
    /** Unset: refunds wait for the cut-off. Set (the demo, the local stack): processed this long after they are submitted. */
    SANDBOX_REFUND_SETTLE_DELAY_MS: z.coerce.number().int().min(0).optional(),
    /** Unset: notifications are sent again on Alipay+'s schedule. Set (the chaos run): its gaps times this. */
    SANDBOX_NOTIFY_RETRY_SCALE: z.coerce.number().positive().max(1).optional(),
    SANDBOX_CLIENT_ID: z.string().min(1).default('SANDBOX_MERCHANT'),
    /** The HTTP server's limits (sandbox/http-limits.ts says why the defaults). */
    SANDBOX_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(DEFAULT_LIMITS.bodyLimitBytes),
    SANDBOX_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.maxInFlight),
    /** Time between the CEB inventory list's states after 120 (stored); customs takes minutes, the demo seconds. */
    SANDBOX_CEB_STEP_AFTER_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(2 * 60_000),
    /** The filing enterprise's customs code, under which the development enterprise key is registered. */
    SANDBOX_CEB_COP_CODE: z.string().min(1).max(18).default(DEV_CEB_COP_CODE),
    /** When set, each CEB receipt's signed XML is also POSTed here once available (best effort). */
    CEB_RECEIPT_CALLBACK_URL: z.url({ protocol: /^https?$/ }).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .parse(process.env);

async function main() {
  const keys = ensureDevKeys();
  const sandbox = await startSandbox({
    host: env.SANDBOX_HOST,
    port: env.SANDBOX_PORT,
    retransmitGapMs: env.SANDBOX_RETRANSMIT_GAP_MS,
    refundCutoffHourUtc: env.SANDBOX_REFUND_CUTOFF_HOUR_UTC,
    refundSettleDelayMs: env.SANDBOX_REFUND_SETTLE_DELAY_MS,
    notifyRetryScale: env.SANDBOX_NOTIFY_RETRY_SCALE,
    clientId: env.SANDBOX_CLIENT_ID,
    limits: { bodyLimitBytes: env.SANDBOX_BODY_LIMIT_BYTES, maxInFlight: env.SANDBOX_MAX_IN_FLIGHT },
    merchantPublicKey: keys.merchantPublicKey,
    alipayPlusPrivateKey: keys.alipayPlusPrivateKey,
    ceb: {
      customsPrivateKey: keys.customsPrivateKey,
      enterprises: { [env.SANDBOX_CEB_COP_CODE]: keys.enterprisePublicKey },
      stepAfterMs: env.SANDBOX_CEB_STEP_AFTER_MS,
      callbackUrl: env.CEB_RECEIPT_CALLBACK_URL,
    },
    logger: pino({ level: env.LOG_LEVEL }),
  });
  console.log(`Alipay+ sandbox listening on ${sandbox.url} (client id ${env.SANDBOX_CLIENT_ID}, keys in ${keys.dir})`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
