import { NativeConnection } from '@temporalio/worker';
import type { TemporalSettings } from '../platform/temporal-settings';

// The worker polls through the SDK's native core (Rust), which only the worker process loads. It
// connects with the same settings as every client (platform/temporal-settings.ts).

export function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect(settings.connection);
}
