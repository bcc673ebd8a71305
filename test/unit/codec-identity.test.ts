import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  OperatorVerifier,
  operatorIdentitySchema,
  operatorIdentitySettings,
  operatorNameFromToken,
  parseTokenFile,
  tokenFileLine,
} from '../../platform/operator-identity';
import { SettingsError } from '../../platform/settings';

// platform/operator-identity.ts on its own: the token file, the provider's answers, the verdict cache, and
// the function the CLI uses to turn a token into an operator name.

const dir = mkdtempSync(join(tmpdir(), 'operator-identity-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ISSUER = 'http://127.0.0.1:1';

/** A provider answering discovery and userinfo in process; `down` makes every call fail as a network error would. */
function provider(users: Record<string, object>) {
  const state = { userinfoCalls: 0, down: false };
  const fetchImpl = ((input: string | URL, init?: RequestInit) => {
    if (state.down) return Promise.reject(new TypeError('fetch failed'));
    const url = input.toString();
    if (url.endsWith('/.well-known/openid-configuration'))
      return Promise.resolve(Response.json({ issuer: ISSUER, userinfo_endpoint: `${ISSUER}/me` }));
    state.userinfoCalls++;
    const token = new Headers(init?.headers).get('authorization')?.replace(/^Bearer /, '') ?? '';
    return Promise.resolve(users[token] ? Response.json(users[token]) : Response.json({ error: 'invalid_token' }, { status: 401 }));
  }) as typeof fetch;
  return { state, fetchImpl };
}

describe('operator identity', () => {
  test('the token file: comments and blank lines skipped, a malformed line is an error naming its number', () => {
    const map = parseTokenFile(`# team\n\n${tokenFileLine('alice', 't1-0123456789')}\n`);
    assert.equal([...map.values()][0], 'alice');
    assert.throws(() => parseTokenFile(`${tokenFileLine('alice', 't1')}\nbob:not-a-hash\n`), /line 2: expected name:sha256hex/);
  });

  test('settings: an issuer or a token file is required', () => {
    assert.throws(() => operatorIdentitySettings({}), SettingsError);
    assert.equal(operatorIdentitySettings({ OPERATOR_OIDC_ISSUER: ISSUER }).OPERATOR_DECRYPT_GROUP, 'pii-readers');
  });

  test('the name is preferred_username, else email, else sub; the groups come from the configured claim', async () => {
    const { fetchImpl } = provider({
      a: { sub: 's-a', preferred_username: 'ann', roles: ['pii'] },
      b: { sub: 's-b', email: 'ben@x.test' },
      c: { sub: 's-c' },
    });
    const settings = operatorIdentitySchema.parse({
      OPERATOR_OIDC_ISSUER: ISSUER,
      OPERATOR_OIDC_GROUPS_CLAIM: 'roles',
      OPERATOR_DECRYPT_GROUP: 'pii',
    });
    const v = new OperatorVerifier(settings, { fetch: fetchImpl });
    const a = await v.verify('a');
    assert.ok(a.ok && a.operator.name === 'ann' && v.mayDecrypt(a.operator).allowed);
    const b = await v.verify('b');
    assert.ok(b.ok && b.operator.name === 'ben@x.test' && !v.mayDecrypt(b.operator).allowed);
    const c = await v.verify('c');
    assert.ok(c.ok && c.operator.name === 's-c');
  });

  test('the verdict cache is bounded: past OPERATOR_TOKEN_CACHE_MAX the oldest verdict is asked again', async () => {
    const { state, fetchImpl } = provider({ a: { sub: 'a' }, b: { sub: 'b' }, c: { sub: 'c' } });
    const v = new OperatorVerifier(operatorIdentitySchema.parse({ OPERATOR_OIDC_ISSUER: ISSUER, OPERATOR_TOKEN_CACHE_MAX: 2 }), {
      fetch: fetchImpl,
    });
    for (const t of ['a', 'b', 'a']) await v.verify(t);
    assert.equal(state.userinfoCalls, 2, 'a second look at a is cached');
    await v.verify('c'); // evicts a, the oldest
    await v.verify('a');
    assert.equal(state.userinfoCalls, 4);
  });

  test('a provider outage is 503 and not cached: the next call asks again and succeeds', async () => {
    const { state, fetchImpl } = provider({ a: { sub: 'a' } });
    const v = new OperatorVerifier(operatorIdentitySchema.parse({ OPERATOR_OIDC_ISSUER: ISSUER }), { fetch: fetchImpl });
    state.down = true;
    const down = await v.verify('a');
    assert.ok(!down.ok && down.status === 503);
    state.down = false;
    assert.ok((await v.verify('a')).ok);
  });

  test('operatorNameFromToken (for the CLI): a name, undefined for nobody, an error when the provider is down', async () => {
    const file = join(dir, 'tokens');
    writeFileSync(file, `${tokenFileLine('carol', 'carol-token-0123456789')}\n`);
    assert.equal(
      await operatorNameFromToken('carol-token-0123456789', operatorIdentitySchema.parse({ OPERATOR_TOKENS_FILE: file })),
      'carol',
    );
    assert.equal(await operatorNameFromToken('nobody', operatorIdentitySchema.parse({ OPERATOR_TOKENS_FILE: file })), undefined);
    await assert.rejects(
      operatorNameFromToken('x', operatorIdentitySchema.parse({ OPERATOR_OIDC_ISSUER: 'http://127.0.0.1:9/' })),
      /could not be asked/,
    );
  });
});
