import type { Client } from '@temporalio/client';
import { encryptingDataConverter } from '../platform/data-converter';
import { keyringFromEnv } from '../platform/payload-keys';
import { connectClient } from '../platform/temporal-connection';
import { loadTemporalSettings } from '../platform/temporal-settings';

/**
 * A Temporal client for an order system, from the same settings as every process of the orchestrator:
 * the standard TEMPORAL_* variables or profile, and the payload keyring (PAYLOAD_KEYS_FILE or
 * PAYLOAD_KEYS), without which the orders' payloads cannot be read or written.
 */
export function connectFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  return connectClient(loadTemporalSettings(env), encryptingDataConverter(keyringFromEnv(env)));
}
