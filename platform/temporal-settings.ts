import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import {
  loadClientConfig,
  loadClientConfigProfile,
  toClientOptions,
  type ClientConfigProfile,
  type ClientConfigTLS,
  type ConfigDataSource,
} from '@temporalio/envconfig';
import { z } from 'zod';
import { SettingsError, parseSettings } from './settings';

// How every process finds Temporal: a local dev server, a self-hosted cluster (optionally mTLS) or
// Temporal Cloud (API key or mTLS). @temporalio/envconfig reads the settings as the `temporal` CLI
// does: a profile (TEMPORAL_PROFILE, else "default") of a TOML file (TEMPORAL_CONFIG_FILE, else
// ~/.config/temporalio/temporal.toml), overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TEMPORAL_TLS and TEMPORAL_TLS_*. What this file adds: the local defaults, and an
// error that names the bad setting where envconfig would fail later or not at all.

/** The task queue is ours, not a connection setting: every worker polls it and every order runs on it. */
export const taskQueueSetting = z.string().min(1).default('alipay-orders');

const renamed = (to: string) => z.undefined({ error: `is no longer read: use ${to}, the name the temporal CLI uses` }).optional();

const notEmpty = z.string().min(1, 'must not be empty').optional();

const variables = z.object({
  TEMPORAL_ADDRESS: notEmpty,
  TEMPORAL_NAMESPACE: notEmpty,
  TEMPORAL_API_KEY: notEmpty,
  TEMPORAL_TLS: z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).optional(),
  TEMPORAL_PROFILE: notEmpty,
  TEMPORAL_CONFIG_FILE: notEmpty,
  // The TypeScript SDK cannot switch host verification off; refuse rather than verify silently anyway.
  TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: z
    .enum(['false', '0'], { error: 'is not supported here: set TEMPORAL_TLS_SERVER_NAME to the name in the server certificate' })
    .optional(),
  // The names this project read before it followed the temporal CLI.
  TEMPORAL_TLS_CERT_FILE: renamed('TEMPORAL_TLS_CLIENT_CERT_PATH'),
  TEMPORAL_TLS_KEY_FILE: renamed('TEMPORAL_TLS_CLIENT_KEY_PATH'),
  TEMPORAL_TLS_CA_FILE: renamed('TEMPORAL_TLS_SERVER_CA_CERT_PATH'),
});

/** What Connection.connect (client) and NativeConnection.connect (worker) both take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalSettings {
  connection: TemporalConnectionOptions;
  namespace: string;
  /** The profile the settings started from, when a profile file was read. */
  profile?: { name: string; file: string };
}

/** The profile file envconfig reads when TEMPORAL_CONFIG_FILE is unset (as the temporal CLI does). */
export function defaultConfigFile(env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform === 'win32') return env.APPDATA ? join(env.APPDATA, 'temporalio', 'temporal.toml') : undefined;
  if (process.platform === 'darwin')
    return env.HOME ? join(env.HOME, 'Library', 'Application Support', 'temporalio', 'temporal.toml') : undefined;
  const dir = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : env.HOME && join(env.HOME, '.config');
  return dir ? join(dir, 'temporalio', 'temporal.toml') : undefined;
}

/** The profile file's text and how to name it in an error; undefined when there is none. */
function readProfileFile(env: NodeJS.ProcessEnv) {
  const explicit = env.TEMPORAL_CONFIG_FILE;
  const path = explicit ?? defaultConfigFile(env);
  if (!path || (!explicit && !existsSync(path))) return undefined;
  const setting = explicit ? `TEMPORAL_CONFIG_FILE (${path})` : `the profile file ${path}`;
  try {
    return { path, setting, text: readFileSync(path, 'utf8') };
  } catch (error) {
    throw new SettingsError(`${setting} cannot be read: ${(error as Error).message}`);
  }
}

type TlsField = 'clientCert' | 'clientKey' | 'serverCACert';
const TLS_FIELDS: Record<TlsField, { variable: string; key: string }> = {
  clientCert: { variable: 'TEMPORAL_TLS_CLIENT_CERT', key: 'client_cert' },
  clientKey: { variable: 'TEMPORAL_TLS_CLIENT_KEY', key: 'client_key' },
  serverCACert: { variable: 'TEMPORAL_TLS_SERVER_CA_CERT', key: 'server_ca_cert' },
};

/**
 * Reads the Temporal connection settings from the environment and the profile file, as the temporal
 * CLI would, or throws a SettingsError naming the setting to fix.
 */
export function loadTemporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  parseSettings(variables, env, 'Temporal');
  const file = readProfileFile(env);
  const profileName = env.TEMPORAL_PROFILE ?? 'default';
  let profiles: string[] = [];
  // envconfig fails on a file without a profile table (empty, comments only, /dev/null); the temporal
  // CLI reads it as no profiles, so an empty table is added.
  const toml = file && (/^\s*(\[\s*profile\b|profile\s*[.=])/m.test(file.text) ? file.text : `${file.text}\n[profile]\n`);
  if (file && toml) {
    try {
      profiles = Object.keys(loadClientConfig({ configSource: { data: toml } }).profiles);
    } catch (error) {
      // The parser's first line only: the rest quotes the file, which may hold an API key.
      const { message, line } = error as Error & { line?: number };
      throw new SettingsError(`${file.setting} is not a valid profile file: ${message.split('\n')[0]}${line ? ` (line ${line})` : ''}`);
    }
  }
  if (file && env.TEMPORAL_PROFILE && !profiles.includes(profileName)) {
    throw new SettingsError(
      `TEMPORAL_PROFILE=${profileName}: ${file.setting} has no [profile.${profileName}] (it has: ${profiles.join(', ') || 'none'})`,
    );
  } else if (!file && env.TEMPORAL_PROFILE) {
    throw new SettingsError(
      `TEMPORAL_PROFILE=${profileName}, but there is no profile file: set TEMPORAL_CONFIG_FILE to the TOML file that has it`,
    );
  }

  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({
      overrideEnvVars: env as Record<string, string>,
      ...(toml ? { configSource: { data: toml } } : { disableFile: true }),
    });
  } catch (error) {
    throw new SettingsError(`Temporal settings are invalid: ${(error as Error).message}`);
  }

  // Where a TLS value came from, in the words the operator used: a variable or a key of the profile.
  const nameOf = (field: TlsField) => {
    const { variable, key } = TLS_FIELDS[field];
    for (const suffix of ['_PATH', '_DATA']) if (env[variable + suffix] !== undefined) return variable + suffix;
    const source = profile.tls?.[field];
    return `tls.${key}_${source && 'data' in source ? 'data' : 'path'} of [profile.${profileName}] in ${file?.path}`;
  };
  const tls = profile.tls && readTlsFiles(profile.tls, nameOf);
  const { connectionOptions, namespace } = toClientOptions({ ...profile, tls });
  return {
    connection: {
      address: connectionOptions.address ?? 'localhost:7233',
      ...(connectionOptions.tls !== undefined && connectionOptions.tls !== null && { tls: connectionOptions.tls }),
      ...(connectionOptions.apiKey !== undefined && { apiKey: connectionOptions.apiKey }),
      ...(connectionOptions.metadata && { metadata: connectionOptions.metadata as Record<string, string> }),
    },
    namespace: namespace ?? 'default',
    ...(file && profiles.includes(profileName) && { profile: { name: profileName, file: file.path } }),
  };
}

/** Checks the mTLS pair and reads each file now, so a bad path is named at start and not at connect. */
function readTlsFiles(tls: ClientConfigTLS, nameOf: (field: TlsField) => string): ClientConfigTLS {
  if (Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    const [set, missing] = tls.clientCert ? (['clientCert', 'clientKey'] as const) : (['clientKey', 'clientCert'] as const);
    const { variable, key } = TLS_FIELDS[missing];
    throw new SettingsError(
      `${nameOf(set)} is set without ${variable}_PATH (or tls.${key}_path): a client certificate and its key go together (mTLS)`,
    );
  }
  if (tls.disabled && (tls.clientCert || tls.serverCACert)) {
    throw new SettingsError(
      `TEMPORAL_TLS is false (or tls.disabled is true), but ${nameOf(tls.clientCert ? 'clientCert' : 'serverCACert')} is set`,
    );
  }
  const read = (field: TlsField): ConfigDataSource | undefined => {
    const source = tls[field];
    if (!source || !('path' in source)) return source;
    try {
      return { data: readFileSync(source.path) };
    } catch (error) {
      throw new SettingsError(`${nameOf(field)} cannot be read (${source.path}): ${(error as Error).message}`);
    }
  };
  return { ...tls, clientCert: read('clientCert'), clientKey: read('clientKey'), serverCACert: read('serverCACert') };
}
