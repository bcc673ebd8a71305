import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The local OpenID provider (oidc-provider) for the local stack: the Web UI signs operators in through
// it (authorization code flow), and the codec server asks its userinfo endpoint who a token belongs to
// and whether they are in the decrypt group. Two development operators, one allowed to decrypt and
// one not. Development only: users, passwords and the client secret are fixed or made at start.

export interface DevOperator {
  username: string;
  password: string;
  name: string;
  groups: string[];
}

/** The group whose members may decrypt payloads (the codec server's OPERATOR_DECRYPT_GROUP). */
export const DEV_DECRYPT_GROUP = 'pii-readers';

export const DEV_OPERATORS: Record<'reader' | 'viewer', DevOperator> = {
  reader: { username: 'reader', password: 'reader-pass', name: 'Rita Reader', groups: [DEV_DECRYPT_GROUP, 'operators'] },
  viewer: { username: 'viewer', password: 'viewer-pass', name: 'Victor Viewer', groups: ['operators'] },
};

export interface OidcClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** The parts of oidc-provider's API used here (the package ships no types). */
interface InteractionDetails {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, options?: object): Promise<void>;
  Grant: new (o: { accountId: string; clientId: string }) => GrantInstance;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
type ProviderClass = new (issuer: string, config: object) => ProviderInstance;

const SCOPES = 'openid profile email groups';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, error?: string) {
  return `<!doctype html><html><head><title>Sign in: local OpenID provider</title></head><body>
<h1>Sign in to the local stack</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Username <input name="username" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
<p>Development users: ${Object.values(DEV_OPERATORS)
    .map((u) => `${u.username} (${u.groups.join(', ')})`)
    .join('; ')}.</p></body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += (chunk as Buffer).toString('utf8');
    if (body.length > 8192) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function checkPassword(username: string, password: string): DevOperator | undefined {
  const user = Object.values(DEV_OPERATORS).find((u) => u.username === username);
  if (!user) return undefined;
  const [a, b] = [Buffer.from(password), Buffer.from(user.password)];
  return a.length === b.length && timingSafeEqual(a, b) ? user : undefined;
}

export async function startOidcProvider(o: { port: number; host?: string; client: OidcClient }) {
  const host = o.host ?? '127.0.0.1';
  const issuer = `http://${host}:${o.port}`;
  // oidc-provider is an ES module only; a dynamic import keeps this CommonJS project loading it.
  const specifier = 'oidc-provider';
  const Provider = ((await import(specifier)) as { default: ProviderClass }).default;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: o.client.clientId,
        client_secret: o.client.clientSecret,
        redirect_uris: [o.client.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'dev', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'], groups: ['groups'] },
    // The Web UI shows the signed-in name from the ID token.
    conformIdTokenClaims: false,
    findAccount: (_ctx: unknown, sub: string) => {
      const user = Object.values(DEV_OPERATORS).find((u) => u.username === sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          name: user.name,
          preferred_username: user.username,
          email: `${user.username}@local.test`,
          email_verified: true,
          groups: user.groups,
        }),
      };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => false },
    // The UI keeps its session cookie for a minute and renews it with the refresh token.
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    ttl: { AccessToken: 3600, IdToken: 3600, RefreshToken: 8 * 3600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
  });
  const handler = provider.callback();

  const interaction = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    const html = (status: number, body: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    if (req.method === 'GET' && details.prompt.name === 'login') return html(200, loginPage(details.uid));
    if (req.method === 'POST' && req.url?.endsWith('/login')) {
      const form = await formBody(req);
      const user = checkPassword(form.get('username') ?? '', form.get('password') ?? '');
      if (!user) return html(401, loginPage(details.uid, 'Unknown user or wrong password.'));
      return provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
    }
    if (details.prompt.name === 'consent') {
      // A development provider: the stack's own client is granted its scopes without a consent page.
      const grant = new provider.Grant({ accountId: details.session!.accountId!, clientId: String(details.params.client_id) });
      grant.addOIDCScope(SCOPES);
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    return html(400, `<p>Unexpected step: ${escapeHtml(details.prompt.name)}</p>`);
  };

  const server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end(`sign-in failed: ${(error as Error).message}`);
      });
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    issuer: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** `node --import tsx dev/oidc-provider.ts`, as dev/stack.ts starts it: settings from OIDC_* variables. */
async function main() {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const { issuer } = await startOidcProvider({
    port: Number(env('OIDC_PORT')),
    client: { clientId: env('OIDC_CLIENT_ID'), clientSecret: env('OIDC_CLIENT_SECRET'), redirectUri: env('OIDC_REDIRECT_URI') },
  });
  console.log(JSON.stringify({ msg: 'local OpenID provider listening', issuer }));
  process.once('SIGTERM', () => process.exit(0));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
