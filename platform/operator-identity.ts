import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { SettingsError, parseSettings } from './settings';

// Who an operator is, from the bearer token they present: an access token issued by the OpenID provider
// (the Web UI passes the signed-in user's, the CLI can too), or a personal API token listed in a file of
// `name:sha256(token)` lines. Each person has their own credential, so one can be revoked or rotated
// without disturbing the others. Who may decrypt is a separate decision (`mayDecrypt`): membership of a
// group named in the provider's `groups` claim, or a line in the API token file.

export interface Operator {
  /** The name audit lines and `--by` carry: the provider's preferred_username (or email, or sub), or the token file's name. */
  name: string;
  source: 'oidc' | 'api-token';
  /** The provider's groups claim; empty for API tokens. */
  groups: string[];
}

export type Verdict =
  | { ok: true; operator: Operator }
  /** 401: no usable identity. `rule` says which check failed, for the caller's answer and the audit line. */
  | { ok: false; status: 401; rule: string }
  /** 503: the provider could not be asked (not cached, so the next request asks again). */
  | { ok: false; status: 503; rule: string };

export const operatorIdentitySchema = z.object({
  /** The OpenID provider's issuer URL; its /.well-known/openid-configuration names the userinfo endpoint. */
  OPERATOR_OIDC_ISSUER: z.url().optional(),
  /** The claim that lists a person's groups, and the group whose members may decrypt. */
  OPERATOR_OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  OPERATOR_DECRYPT_GROUP: z.string().min(1).default('pii-readers'),
  /** A file of `name:sha256hex(token)` lines, one per person with a CLI token; read again whenever it changes. */
  OPERATOR_TOKENS_FILE: z.string().min(1).optional(),
  /** How long a verdict on a token is kept, and how many are kept at most. */
  OPERATOR_TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  OPERATOR_TOKEN_CACHE_MAX: z.coerce.number().int().min(1).max(100_000).default(1_000),
});
export type OperatorIdentitySettings = z.infer<typeof operatorIdentitySchema>;

/** The identity settings from the environment (they are documented in docs/configuration.md). */
export function operatorIdentitySettings(env: NodeJS.ProcessEnv = process.env): OperatorIdentitySettings {
  const s = parseSettings(operatorIdentitySchema, env, 'Operator identity');
  if (!s.OPERATOR_OIDC_ISSUER && !s.OPERATOR_TOKENS_FILE)
    throw new SettingsError('Operator identity settings are invalid: set OPERATOR_OIDC_ISSUER, OPERATOR_TOKENS_FILE, or both');
  return s;
}

/** The line to put in OPERATOR_TOKENS_FILE for a person and their new token. */
export const tokenFileLine = (name: string, token: string) => `${name}:${sha256(token)}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const TOKEN_LINE = /^([A-Za-z0-9._@-]{1,64}):([0-9a-f]{64})$/;

/** Parses the token file; a malformed line is an error naming its line number, never a silent skip. */
export function parseTokenFile(text: string): Map<string, string> {
  const byHash = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = TOKEN_LINE.exec(line);
    if (!m) throw new SettingsError(`operator token file line ${i + 1}: expected name:sha256hex (name of letters, digits, ._@-)`);
    byHash.set(m[2], m[1]);
  });
  return byHash;
}

const userinfoSchema = z.looseObject({ sub: z.string().min(1), preferred_username: z.string().optional(), email: z.string().optional() });
const discoverySchema = z.looseObject({ userinfo_endpoint: z.url() });

export interface OperatorVerifierOptions {
  fetch?: typeof fetch;
  /** How long one call to the provider may take. */
  providerTimeoutMs?: number;
}

export class OperatorVerifier {
  private userinfoEndpoint: Promise<string> | undefined;
  private readonly cache = new Map<string, { verdict: Verdict; until: number }>();
  private tokens: { mtimeMs: number; size: number; byHash: Map<string, string> } | undefined;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(
    readonly settings: OperatorIdentitySettings,
    options: OperatorVerifierOptions = {},
  ) {
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.providerTimeoutMs ?? 5_000;
  }

  /** Who the `Authorization` header's bearer token belongs to, or why it names nobody. */
  async verifyHeader(header: string | undefined): Promise<Verdict> {
    const m = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
    if (!header) return { ok: false, status: 401, rule: 'an Authorization: Bearer <token> header is required' };
    if (!m || m[1].length > 8192) return { ok: false, status: 401, rule: 'the Authorization header must be Bearer <token>' };
    return this.verify(m[1]);
  }

  async verify(token: string): Promise<Verdict> {
    const fromFile = this.apiTokenOperator(token);
    if (fromFile) return { ok: true, operator: fromFile };
    if (!this.settings.OPERATOR_OIDC_ISSUER) return { ok: false, status: 401, rule: 'the token is not a known operator token' };
    const key = sha256(token);
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.verdict;
    this.cache.delete(key);
    const verdict = await this.askProvider(token);
    if (verdict.ok || verdict.status !== 503) this.remember(key, verdict);
    return verdict;
  }

  /** Whether this operator may see decrypted payloads, and if not, the rule that says so. */
  mayDecrypt(operator: Operator): { allowed: true } | { allowed: false; rule: string } {
    if (operator.source === 'api-token') return { allowed: true };
    const group = this.settings.OPERATOR_DECRYPT_GROUP;
    return operator.groups.includes(group)
      ? { allowed: true }
      : { allowed: false, rule: `only members of the group ${group} (claim ${this.settings.OPERATOR_OIDC_GROUPS_CLAIM}) may decrypt` };
  }

  private apiTokenOperator(token: string): Operator | undefined {
    const file = this.settings.OPERATOR_TOKENS_FILE;
    if (!file) return undefined;
    const st = statSync(file);
    // Read again whenever the file changes, so a revoked line stops working at once, without a restart.
    if (!this.tokens || this.tokens.mtimeMs !== st.mtimeMs || this.tokens.size !== st.size)
      this.tokens = { mtimeMs: st.mtimeMs, size: st.size, byHash: parseTokenFile(readFileSync(file, 'utf8')) };
    const given = Buffer.from(sha256(token), 'hex');
    for (const [hash, name] of this.tokens.byHash) {
      if (timingSafeEqual(given, Buffer.from(hash, 'hex'))) return { name, source: 'api-token', groups: [] };
    }
    return undefined;
  }

  private remember(key: string, verdict: Verdict) {
    const ttl = verdict.ok ? this.settings.OPERATOR_TOKEN_CACHE_MS : Math.min(this.settings.OPERATOR_TOKEN_CACHE_MS, 5_000);
    if (ttl === 0) return;
    // Bounded: the oldest entry goes first (a Map keeps insertion order).
    while (this.cache.size >= this.settings.OPERATOR_TOKEN_CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { verdict, until: Date.now() + ttl });
  }

  private async providerGet(url: string, token?: string): Promise<Response> {
    return this.fetch(url, {
      headers: { accept: 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  private async askProvider(token: string): Promise<Verdict> {
    let res: Response;
    try {
      this.userinfoEndpoint ??= this.discover();
      res = await this.providerGet(await this.userinfoEndpoint, token);
    } catch (error) {
      this.userinfoEndpoint = undefined;
      return { ok: false, status: 503, rule: `the OpenID provider could not be asked: ${(error as Error).message}` };
    }
    if (res.status === 401 || res.status === 403 || res.status === 400)
      return { ok: false, status: 401, rule: 'the OpenID provider does not accept the access token (expired, revoked or unknown)' };
    if (!res.ok) return { ok: false, status: 503, rule: `the OpenID provider's userinfo answered HTTP ${res.status}` };
    const claims = userinfoSchema.safeParse(await res.json().catch(() => undefined));
    if (!claims.success) return { ok: false, status: 503, rule: "the OpenID provider's userinfo answer has no sub" };
    const c = claims.data;
    const rawGroups = c[this.settings.OPERATOR_OIDC_GROUPS_CLAIM];
    const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : [];
    return { ok: true, operator: { name: c.preferred_username ?? c.email ?? c.sub, source: 'oidc', groups } };
  }

  private async discover(): Promise<string> {
    const issuer = this.settings.OPERATOR_OIDC_ISSUER!.replace(/\/$/, '');
    const res = await this.providerGet(`${issuer}/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`${issuer}/.well-known/openid-configuration answered HTTP ${res.status}`);
    return discoverySchema.parse(await res.json()).userinfo_endpoint;
  }
}

/**
 * The operator a token belongs to, for the CLI's `--by`: undefined when it names nobody. Throws when the
 * provider cannot be asked, so a caller does not mistake an outage for an unknown person.
 */
export async function operatorNameFromToken(token: string, settings = operatorIdentitySettings()): Promise<string | undefined> {
  const verdict = await new OperatorVerifier(settings).verify(token);
  if (verdict.ok) return verdict.operator.name;
  if (verdict.status === 503) throw new Error(verdict.rule);
  return undefined;
}
