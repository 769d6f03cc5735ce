#!/usr/bin/env node
// A tiny, dependency-free web server for the example kiosk page.
//
//   KIOSKGATE_URL=wss://127.0.0.1:8765/v1/kiosk KIOSKGATE_TOKEN=<token> node serve.mjs
//
// It serves index.html at "/" and the kiosk's settings at "/config.json"
// (console URL, token, transport), on http://127.0.0.1:8080 by default (over
// https with TLS_CERT_FILE and TLS_KEY_FILE). That origin must be on the
// console's allowlist (--allow-origin http://127.0.0.1:8080).
//
// The token is handed to the page by this server, not written into the page
// or its URL, and the page fetches it again before every connection attempt,
// so a new token file takes effect without reloading the kiosk.
// It listens on loopback only unless HOST says otherwise: anyone who can
// reach this server can read the kiosk's token.
//
// Environment:
//   KIOSKGATE_URL         the console's kiosk endpoint (default wss://127.0.0.1:8765/v1/kiosk;
//                         ws://… for a console started with --no-tls)
//   KIOSKGATE_TOKEN       the kiosk token, or
//   KIOSKGATE_TOKEN_FILE  a file holding it (re-read on every request)
//   KIOSKGATE_TRANSPORT   "subprotocol" (default) or "ticket"
//   HOST, PORT            where to listen (default 127.0.0.1, 8080)
//   TLS_CERT_FILE, TLS_KEY_FILE  PEM certificate and key: serve the page over https

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Starts the page server. `config` is read on every /config.json request,
 * so callers may change it while the server runs. `tls` ({key, cert}, PEM)
 * serves over https. Resolves {server, origin, url, config, pageLoads(), close()}.
 */
export async function startKioskPageServer({ host = '127.0.0.1', port = 8080, config, tls = null }) {
  const html = readFileSync(path.join(here, 'index.html'));
  let pageLoads = 0;
  const sockets = new Set();
  const handler = (req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (req.method === 'GET' && pathname === '/') {
      pageLoads += 1;
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html);
    } else if (req.method === 'GET' && pathname === '/config.json') {
      const token = config.tokenFile ? readFileSync(config.tokenFile, 'utf8').trim() : config.token;
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ url: config.url, transport: config.transport || 'subprotocol', token }));
    } else {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  };
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const origin = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${server.address().port}`;
  return {
    server,
    origin,
    url: origin + '/',
    config,
    pageLoads: () => pageLoads,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const config = {
    url: process.env.KIOSKGATE_URL || 'wss://127.0.0.1:8765/v1/kiosk',
    token: process.env.KIOSKGATE_TOKEN || '',
    tokenFile: process.env.KIOSKGATE_TOKEN_FILE || '',
    transport: process.env.KIOSKGATE_TRANSPORT || 'subprotocol',
  };
  if (!config.token && !config.tokenFile) {
    console.error('serve.mjs: set KIOSKGATE_TOKEN or KIOSKGATE_TOKEN_FILE (from: kioskgate token issue NAME)');
    process.exit(2);
  }
  const tls = process.env.TLS_CERT_FILE
    ? { cert: readFileSync(process.env.TLS_CERT_FILE), key: readFileSync(process.env.TLS_KEY_FILE || '') }
    : null;
  const page = await startKioskPageServer({
    host: process.env.HOST || '127.0.0.1',
    port: Number(process.env.PORT || 8080),
    config,
    tls,
  });
  console.log(`kiosk page: ${page.url}  (console: ${config.url}, transport ${config.transport})`);
  console.log(`the console must allow this origin: --allow-origin ${page.origin}`);
}
