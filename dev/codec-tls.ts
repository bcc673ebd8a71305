import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';

// A self-signed certificate for the local codec server's HTTPS listener: the Web UI passes the signed-in
// user's access token only to an https:// codec endpoint. Made once with openssl, kept in .dev/codec-tls/.
// A browser must accept it once (open the codec URL); the browser test tells chromium to.

export function ensureCodecTls(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Written under temporary names and renamed, so two stacks starting at once never read half a file.
  const tmp = `.${process.pid}`;
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '825',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile + tmp,
      '-out',
      certFile + tmp,
    ],
    { stdio: 'ignore' },
  );
  renameSync(keyFile + tmp, keyFile);
  renameSync(certFile + tmp, certFile);
  return { certFile, keyFile };
}
