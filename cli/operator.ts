import { z } from 'zod';

// Who an operator command acts as. When the connection to Temporal is authenticated with a JWT (the
// bearer token a self-hosted server's JWT authorizer checks, passed as TEMPORAL_API_KEY or in the
// profile's api_key), the server decides what that person may do; the CLI records the same person in
// the order's audit, so the name there is the one the server let in, not one typed by hand.

const identityClaims = z.object({
  email: z.string().min(1).max(256).optional(),
  preferred_username: z.string().min(1).max(256).optional(),
  sub: z.string().min(1).max(256).optional(),
});

/** The person a JWT names (email, else preferred_username, else sub); undefined for a token that is not a JWT. */
export function identityOfToken(token: string | undefined): string | undefined {
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const claims = identityClaims.safeParse(payload);
  if (!claims.success) return undefined;
  return claims.data.email ?? claims.data.preferred_username ?? claims.data.sub;
}

/** How each --by option says where its default comes from. */
export const BY_DEFAULT = '(when the CLI connects to Temporal with a JWT: the person it names, and no one else)';

export class OperatorError extends Error {
  override name = 'OperatorError';
}

/** The operator of a command: the authenticated identity when there is one, else --by. */
export function operatorOf(by: string | undefined, authenticated: string | undefined): string {
  if (authenticated) {
    if (by !== undefined && by !== authenticated) {
      throw new OperatorError(
        `--by ${by}: the connection to Temporal is authenticated as ${authenticated}, and operator actions are recorded under that name; leave --by out or give that name`,
      );
    }
    return authenticated;
  }
  if (by === undefined || by.trim() === '') {
    throw new OperatorError('--by is required: say who does this (the connection to Temporal carries no JWT that names the operator)');
  }
  return by;
}
