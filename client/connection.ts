import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec, keyringFromEnv } from '../codec/aes-gcm-codec';
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';

// How every process reaches Temporal: a local dev server, a self-hosted cluster (optionally mTLS) or
// Temporal Cloud (API key or mTLS). Checked with zod at start; an error names the bad setting.

const flag = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');

export const temporalSettingsSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('alipay-orders'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: flag,
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
});
export type TemporalSettings = z.infer<typeof temporalSettingsSchema>;

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Parses settings from the environment, or throws an error naming each bad setting. */
export function parseSettings<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, what: string): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new SettingsError(`${what} settings are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

function readSetting(name: string, file: string) {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new SettingsError(`${name} cannot be read (${file}): ${(error as Error).message}`);
  }
}

function tlsOf(s: TemporalSettings) {
  if (s.TEMPORAL_TLS_CERT_FILE || s.TEMPORAL_TLS_KEY_FILE) {
    if (!s.TEMPORAL_TLS_CERT_FILE || !s.TEMPORAL_TLS_KEY_FILE) {
      throw new SettingsError('TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE go together (mTLS)');
    }
    return {
      clientCertPair: { crt: readSetting('TEMPORAL_TLS_CERT_FILE', s.TEMPORAL_TLS_CERT_FILE), key: readSetting('TEMPORAL_TLS_KEY_FILE', s.TEMPORAL_TLS_KEY_FILE) },
      ...(s.TEMPORAL_TLS_CA_FILE && { serverRootCACertificate: readSetting('TEMPORAL_TLS_CA_FILE', s.TEMPORAL_TLS_CA_FILE) }),
      ...(s.TEMPORAL_TLS_SERVER_NAME && { serverNameOverride: s.TEMPORAL_TLS_SERVER_NAME }),
    };
  }
  // An API key (Temporal Cloud) always travels over TLS.
  return s.TEMPORAL_TLS || s.TEMPORAL_API_KEY ? true : undefined;
}

/**
 * The data converter every process uses: payloads are encrypted with the keyring of PAYLOAD_KEYS or
 * PAYLOAD_KEYS_FILE, so buyer names and ID numbers reach Temporal only encrypted.
 */
export function encryptingDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  try {
    return { payloadCodecs: [new AesGcmCodec(keyringFromEnv(env))] };
  } catch (error) {
    throw new SettingsError((error as Error).message);
  }
}

export async function connectClient(s: TemporalSettings, dataConverter: DataConverter = encryptingDataConverter()): Promise<Client> {
  const connection = await Connection.connect({ address: s.TEMPORAL_ADDRESS, tls: tlsOf(s), apiKey: s.TEMPORAL_API_KEY });
  return new Client({ connection, namespace: s.TEMPORAL_NAMESPACE, dataConverter });
}

export function connectWorker(s: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect({ address: s.TEMPORAL_ADDRESS, tls: tlsOf(s), apiKey: s.TEMPORAL_API_KEY });
}
