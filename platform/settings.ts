import { z } from 'zod';

// Settings come from the environment and are checked with zod when a process starts; an error names
// each bad setting, so an operator knows what to fix.

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Parses settings from the environment, or throws an error naming each bad setting. */
export function parseSettings<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, what: string): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new SettingsError(
      `${what} settings are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** LOG_LEVEL, as pino names its levels. */
export const logLevelSetting = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
