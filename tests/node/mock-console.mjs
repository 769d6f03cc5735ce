// A small stand-in for the KioskGate console that speaks the kiosk contract
// (docs/protocol.md and the command/ticket contract): it serves
// /kioskgate.js, answers POST /v1/tickets and GET /v1/whoami with CORS for
// one allowed origin, and accepts kiosk WebSockets (subprotocol or ticket).
// The browser client tests use it to drive a real Chromium through the
// reset → ack → reload → welcome → done cycle before the real server has it.
// Loopback only; every wait is bounded.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

import { withTimeout } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLIENT_JS = path.join(here, '../../resources/client/kioskgate.js');

/**
 * Starts the mock console. `tokens` maps a valid token to its kiosk name;
 * `refused` maps a token to the {status, body} the console answers for it.
 */
export async function startMockConsole({ allowedOrigin, tokens, refused = {} }) {
  const tickets = new Map(); // ticket -> token
  const connections = []; // {url, protocols, origin, transport, kiosk, messages, ws}
  const requests = []; // {method, path, authorization, origin}
  const waiters = new Set();
  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const cors = (req) =>
    req.headers.origin === allowedOrigin
      ? {
          'Access-Control-Allow-Origin': allowedOrigin,
          'Access-Control-Allow-Headers': 'authorization',
          'Access-Control-Allow-Methods': 'GET, POST',
          'Access-Control-Expose-Headers': 'Retry-After',
          Vary: 'Origin',
        }
      : {};
  const json = (req, res, status, body, extra = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...cors(req), ...extra });
    res.end(JSON.stringify(body));
  };
  const bearer = (req) => {
    const match = /^Bearer (\S+)$/i.exec(req.headers.authorization || '');
    return match ? match[1] : null;
  };
  /** The console's verdict on a token: null if accepted, else {status, body}. */
  const judge = (token) => {
    if (token && refused[token]) return refused[token];
    if (token && tokens[token]) return null;
    return { status: 401, body: { error: 'invalid_token' } };
  };

  const http = createServer((req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    requests.push({ method: req.method, path: pathname, url: req.url, authorization: req.headers.authorization || null });
    if (req.method === 'OPTIONS') {
      res.writeHead(req.headers.origin === allowedOrigin ? 204 : 403, cors(req));
      return res.end();
    }
    if (req.method === 'GET' && pathname === '/kioskgate.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store', ...cors(req) });
      return res.end(readFileSync(CLIENT_JS));
    }
    if (req.method === 'POST' && pathname === '/v1/tickets') {
      const token = bearer(req);
      const refusal = judge(token);
      if (refusal) return json(req, res, refusal.status, refusal.body);
      const ticket = randomBytes(16).toString('base64url');
      tickets.set(ticket, token);
      return json(req, res, 200, { ticket, expiresIn: 30 });
    }
    if (req.method === 'GET' && pathname === '/v1/whoami') {
      const token = bearer(req);
      const refusal = judge(token);
      if (refusal) return json(req, res, refusal.status, refusal.body);
      return json(req, res, 200, { kiosk: tokens[token], jti: 'mock-jti', expiresAt: null });
    }
    return json(req, res, 404, { error: 'not_found' });
  });

  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('kioskgate.v1') ? 'kioskgate.v1' : false),
  });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url, 'http://x');
    const protocols = (req.headers['sec-websocket-protocol'] || '').split(',').map((p) => p.trim()).filter(Boolean);
    const bearerProtocol = protocols.find((p) => p.startsWith('kioskgate.bearer.'));
    let token = null;
    let transport = null;
    if (url.searchParams.has('ticket')) {
      transport = 'ticket';
      const ticket = url.searchParams.get('ticket');
      token = tickets.get(ticket) || null;
      tickets.delete(ticket); // single use
    } else if (!req.headers.origin && bearer(req)) {
      transport = 'header'; // native clients: no Origin, Authorization header
      token = bearer(req);
    } else if (bearerProtocol) {
      transport = 'subprotocol';
      token = bearerProtocol.slice('kioskgate.bearer.'.length);
    }
    const refusal = url.pathname !== '/v1/kiosk'
      ? { status: 404, body: { error: 'not_found' } }
      : req.headers.origin !== allowedOrigin && transport !== 'header'
        ? { status: 403, body: { error: req.headers.origin ? 'origin_not_allowed' : 'origin_required' } }
        : judge(token);
    if (refusal) {
      const body = JSON.stringify(refusal.body);
      socket.end(`HTTP/1.1 ${refusal.status} Refused\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = {
        url: req.url, protocols, origin: req.headers.origin, transport, kiosk: tokens[token],
        messages: [], ws, closed: null,
      };
      connections.push(connection);
      ws.on('message', (data, isBinary) => {
        if (!isBinary) connection.messages.push(JSON.parse(String(data)));
        notify();
      });
      ws.on('close', (code) => {
        connection.closed = code;
        notify();
      });
      ws.send(JSON.stringify({
        type: 'welcome', kiosk: connection.kiosk, session: randomBytes(8).toString('hex'), heartbeatMs: 15000,
      }));
      notify();
    });
  });

  await withTimeout(new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', resolve);
  }), 5000, 'mock console to listen');
  const { port } = http.address();

  return {
    url: `ws://127.0.0.1:${port}/v1/kiosk`,
    httpBase: `http://127.0.0.1:${port}`,
    connections,
    requests,
    /** Resolves once predicate() is truthy (checked on every event and every 50 ms); rejects after ms. */
    waitFor(predicate, ms, label) {
      let check;
      let poll;
      return withTimeout(new Promise((resolve) => {
        check = () => {
          const value = predicate();
          if (value) resolve(value);
        };
        waiters.add(check);
        poll = setInterval(check, 50); // for conditions outside the mock (logs, pages)
        check();
      }), ms, label).finally(() => {
        waiters.delete(check);
        clearInterval(poll);
      });
    },
    close: async () => {
      for (const c of connections) c.ws.terminate();
      wss.close();
      http.closeAllConnections?.();
      await withTimeout(new Promise((resolve) => http.close(() => resolve())), 5000, 'mock console to close');
    },
  };
}
