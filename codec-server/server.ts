import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';

// The codec server the Web UI and the CLI call to show decrypted payloads to people allowed to see
// them: POST /encode and /decode with {payloads: [...]} (JSON proto, data in base64), a bearer token,
// and CORS for the UI's origin.

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The token callers send as `Authorization: Bearer <token>`. */
  token: string;
  /** Origins allowed by CORS, e.g. the Web UI's http://127.0.0.1:8233. */
  allowedOrigins: string[];
  host?: string;
  port?: number;
  logger?: Logger;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

function tokenMatches(header: string | undefined, token: string) {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function startCodecServer(o: CodecServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const cors = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin && o.allowedOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-Namespace');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
  };
  const send = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

  const server: Server = createServer((req, res) => {
    cors(req, res);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const url = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && url === '/healthz') return send(res, 200, { ok: true });
    // The token comes as `Authorization: Bearer <token>` (CLI), or as a path prefix `/t/<token>`, which
    // lets the Web UI's codec endpoint carry it: the UI appends /decode to the endpoint it is given.
    const prefixed = url.match(/^\/t\/([^/]+)(\/(?:encode|decode))$/);
    const path = prefixed ? prefixed[2] : url;
    const credential = prefixed ? `Bearer ${decodeURIComponent(prefixed[1])}` : req.headers.authorization;
    if (req.method !== 'POST' || (path !== '/encode' && path !== '/decode')) return send(res, 404, { error: 'POST /encode or /decode' });
    if (!tokenMatches(credential, o.token)) {
      o.logger?.warn({ path, origin: req.headers.origin }, 'codec request without a valid token');
      return send(res, 401, { error: 'a valid bearer token is required' });
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads?: JsonPayload[] };
          const payloads = (body.payloads ?? []).map(fromJson);
          const out = path === '/encode' ? await o.codec.encode(payloads) : await o.codec.decode(payloads);
          send(res, 200, { payloads: out.map(toJson) });
        } catch (error) {
          send(res, 400, { error: (error as Error).message });
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 8888, o.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
