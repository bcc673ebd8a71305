import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { OidcClient } from './oidc-provider';

// The Temporal UI server's config for the local stack (its fields: ui-server's server/config/config.go).
// Sign-in at the local OpenID provider; the browser calls the codec server itself with the signed-in
// user's access token (codec.passAccessToken), so the config holds no codec secret.

export interface UiServerConfig {
  temporalAddress: string;
  port: number;
  uiUrl: string;
  issuer: string;
  client: OidcClient;
  codecUrl: string;
}

/** Writes <root>/config/local.yaml (private: it holds the client secret) and returns <root>. */
export function writeUiServerConfig(root: string, c: UiServerConfig): string {
  mkdirSync(join(root, 'config'), { recursive: true, mode: 0o700 });
  const config = {
    temporalGrpcAddress: c.temporalAddress,
    host: '127.0.0.1',
    port: c.port,
    enableUi: true,
    defaultNamespace: 'default',
    // Loopback only: no news feed or version check from the internet.
    disableNewsFetch: true,
    notifyOnNewVersion: false,
    hideLogs: true,
    // Plain http on loopback, so the cookies cannot be Secure.
    cors: { cookieInsecure: true, allowOrigins: [c.uiUrl] },
    auth: {
      enabled: true,
      redirectToProvider: true,
      providers: [
        {
          label: 'Local OpenID provider',
          type: 'oidc',
          providerUrl: c.issuer,
          clientId: c.client.clientId,
          clientSecret: c.client.clientSecret,
          scopes: ['openid', 'profile', 'email', 'groups'],
          callbackUrl: c.client.redirectUri,
        },
      ],
    },
    codec: {
      endpoint: c.codecUrl,
      passAccessToken: true,
      defaultErrorMessage: 'Payloads stay encrypted: the codec server did not decode them for you (see docs/operators.md).',
    },
  };
  writeFileSync(join(root, 'config', 'local.yaml'), stringify(config), { mode: 0o600 });
  return root;
}
