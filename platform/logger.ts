import pino, { type Logger } from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

// One pino logger per process. Buyer names and ID numbers never reach a log line: any field with
// one of these names is replaced, at any depth, before pino writes it.

const PII_KEYS = new Set(['fullName', 'holderName', 'certificateNo', 'idNumber', 'buyer', 'payer', 'buyerCertificate', 'name']);

export function redactPii(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactPii(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = PII_KEYS.has(k) ? '[redacted]' : redactPii(v, depth + 1);
  return out;
}

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', name?: string): Logger {
  return pino({
    level,
    name,
    base: { pid: process.pid },
    formatters: { log: (object) => redactPii(object) as Record<string, unknown> },
  });
}

/** Routes the Temporal SDK's own logs (core, worker, workflow and activity loggers) through pino. */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const pinoLevel = level === 'WARN' ? 'warn' : (level.toLowerCase() as 'trace' | 'debug' | 'info' | 'error');
    this.logger[pinoLevel](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata) {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata) {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata) {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata) {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata) {
    this.log('ERROR', message, meta);
  }
}
