// The server people would otherwise write: Node's `ws` with `jsonwebtoken`,
// doing the same checks as KioskGate's gate before the upgrade (path,
// Origin allowlist, token in the Authorization header or the
// "kioskgate.bearer.<token>" subprotocol, HS256 pinned, iss/aud) and the same
// JSON protocol (welcome, command, ack, ping heartbeat). POST /bench/reset
// broadcasts a reset command the way such a server would: one JSON string,
// ws.send() per client.
//
// node bench/peer-server.mjs --port P --secret-file F --origin http://kiosk.bench
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import jwt from 'jsonwebtoken';
import { WebSocketServer } from 'ws';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 === 0 ? [...pairs, [value.replace(/^--/, ''), all[i + 1]]] : pairs), []),
);
const port = Number(args.port ?? 8766);
const secret = crypto.createSecretKey(Buffer.from(fs.readFileSync(args['secret-file'], 'utf8').trim(), 'hex'));
const origins = new Set((args.origin ?? 'http://kiosk.bench').split(','));
const issuer = args.issuer ?? 'kioskgate-bench';
const audience = args.audience ?? 'kioskgate';
const SUBPROTOCOL = 'kioskgate.v1';
const BEARER = 'kioskgate.bearer.';
const HEARTBEAT_MS = 15000;

const wss = new WebSocketServer({
  noServer: true,
  maxPayload: 64 * 1024,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
});

function refuse(socket, status, error, extra = '') {
  const body = JSON.stringify({ error });
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n${extra}`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function tokenOf(req) {
  const auth = req.headers.authorization;
  if (auth && auth.startsWith('Bearer ')) return { token: auth.slice(7), transport: 'header' };
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith(BEARER));
  if (bearer) return { token: bearer.slice(BEARER.length), transport: 'subprotocol' };
  return { token: null, transport: 'none' };
}

let sessionCounter = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/bench/reset') {
    const now = new Date();
    const frame = JSON.stringify({
      type: 'command', id: crypto.randomBytes(8).toString('hex'), name: 'reset',
      issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + 300000).toISOString(),
    });
    let sent = 0;
    for (const client of wss.clients) {
      client.send(frame);
      sent += 1;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ sent }));
    return;
  }
  res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_found"}');
});

server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => {});
  if (new URL(req.url, 'http://x').pathname !== '/v1/kiosk') return refuse(socket, 404, 'not_found');
  const origin = req.headers.origin;
  const { token, transport } = tokenOf(req);
  if (origin === undefined && transport !== 'header') return refuse(socket, 403, 'origin_required');
  if (origin !== undefined && !origins.has(origin)) return refuse(socket, 403, 'origin_not_allowed');
  if (!token) return refuse(socket, 401, 'token_missing', 'WWW-Authenticate: Bearer error="invalid_token"\r\n');
  let claims;
  try {
    claims = jwt.verify(token, secret, { algorithms: ['HS256'], issuer, audience });
  } catch {
    return refuse(socket, 401, 'invalid_token', 'WWW-Authenticate: Bearer error="invalid_token"\r\n');
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.kiosk = claims.sub;
    ws.alive = true;
    ws.on('pong', () => { ws.alive = true; });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1008, 'binary messages are not part of the protocol');
      let message;
      try { message = JSON.parse(data.toString()); } catch { return ws.send('{"type":"error","error":"malformed_message"}'); }
      if (message.type !== 'ack' && message.type !== 'done' && message.type !== 'status') {
        ws.send('{"type":"error","error":"unknown_type"}');
      }
    });
    ws.on('error', () => {});
    sessionCounter += 1;
    ws.send(JSON.stringify({ type: 'welcome', kiosk: claims.sub, session: sessionCounter.toString(16), heartbeatMs: HEARTBEAT_MS }));
  });
});

setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.alive) { ws.terminate(); continue; }
    ws.alive = false;
    ws.ping();
  }
}, HEARTBEAT_MS).unref();

server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`listening ${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
