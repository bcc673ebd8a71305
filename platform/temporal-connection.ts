import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { TemporalSettings } from './temporal-settings';

// The client side of a connection to Temporal, for every process. It uses @temporalio/client only:
// the CLI and the notify receiver never load the worker's native core just to connect. The worker's
// own NativeConnection, from the same settings, is in workers/native-connection.ts.

/** `identity` is what Temporal records as the caller of each request (default: pid@host). */
export async function connectClient(settings: TemporalSettings, dataConverter: DataConverter, identity?: string): Promise<Client> {
  const connection = await Connection.connect(settings.connection);
  return new Client({ connection, namespace: settings.namespace, dataConverter, ...(identity && { identity }) });
}
