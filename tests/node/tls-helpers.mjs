// Certificates for the TLS tests: a throwaway self-signed certificate for a
// kiosk page server (made by the openssl CLI) and Chrome's SPKI pin of a
// certificate.

import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { withTimeout } from './harness.mjs';

/** A P-256 self-signed certificate for 127.0.0.1 in `dir`; resolves {key, cert} (PEM buffers). */
export async function makeSelfSignedCertificate(dir, name = 'page') {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  await withTimeout(
    new Promise((resolve, reject) =>
      execFile(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key,
          '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
        (error, stdout, stderr) => (error ? reject(new Error(`openssl failed: ${stderr}`)) : resolve()),
      ),
    ),
    15000,
    'openssl req',
  );
  return { key: await readFile(key), cert: await readFile(cert), keyFile: key, certFile: cert };
}

/** Chrome's pin: base64 SHA-256 of the certificate's SubjectPublicKeyInfo. */
export function spkiOf(pem) {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}
