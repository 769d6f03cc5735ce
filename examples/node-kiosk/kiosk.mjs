#!/usr/bin/env node
// A KioskGate kiosk in Node.js, the case a native client is made for: the
// `ws` package can set the Authorization header, so the token travels the
// standard way (no subprotocol, no ticket, never in the URL).
//
//   npm install
//   KIOSKGATE_CA=<console certificate.pem> KIOSKGATE_TOKEN=<token> node kiosk.mjs
//
// The console serves wss:// with its own certificate by default: the kiosk
// trusts exactly that certificate (KIOSKGATE_CA, the file `kioskgate tls
// show` names) as its only CA. For a console started with --no-tls, set
// KIOSKGATE_URL=ws://127.0.0.1:8765/v1/kiosk and no KIOSKGATE_CA.
//
// It acks each command before acting, "resets" by closing and reconnecting
// (a real kiosk would restart its app here), and reports `done` after the
// next welcome. It reconnects with capped exponential backoff and full
// jitter, honours Retry-After, and stops for good when the console says the
// token is no longer valid (HTTP 401/403, close 4401/4403).
// The console must allow clients without Origin (the default;
// --deny-non-browser-clients turns them off).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TERMINAL_CLOSE_CODES = [4401, 4403];

/**
 * Runs the kiosk. Resolves nothing; returns {stop(), events} at once.
 * options: {url, getToken, WebSocket, log, ca (PEM trusted for wss://),
 * backoff: {initialMs, maxMs}}.
 */
export function runKiosk({ url, getToken, WebSocket, log = console.log, ca = null, backoff = {} }) {
  const initialMs = backoff.initialMs ?? 1000;
  const maxMs = backoff.maxMs ?? 30000;
  const handled = []; // command ids already acked (bounded)
  const pending = new Set(); // ids to report `done` for after the next welcome
  let attempt = 0;
  let socket = null;
  let timer = null;
  let stopped = false;
  let resetting = false; // our own close, to "reset" by reconnecting

  const retry = (why, retryAfterSeconds) => {
    if (stopped) return;
    attempt += 1;
    const ceiling = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
    let delay = Math.floor(Math.random() * ceiling); // full jitter
    if (retryAfterSeconds) delay = Math.max(delay, retryAfterSeconds * 1000 + Math.random() * initialMs);
    log(`reconnecting in ${(delay / 1000).toFixed(1)} s (${why})`);
    timer = setTimeout(open, delay);
  };
  const giveUp = (why) => {
    stopped = true;
    log(`stopped: ${why}`);
  };
  const send = (message) => socket?.readyState === 1 && socket.send(JSON.stringify(message));

  function open() {
    if (stopped) return;
    const ws = new WebSocket(url, ['kioskgate.v1'], {
      headers: { Authorization: `Bearer ${getToken()}` },
      handshakeTimeout: 10000,
      ...(ca ? { ca } : {}), // never rejectUnauthorized: false
    });
    socket = ws;
    let stableTimer = null;
    let refused = false;

    // Node sees the refused handshake's real HTTP status (browsers do not).
    ws.on('unexpected-response', (request, response) => {
      refused = true;
      let body = '';
      response.on('data', (chunk) => { if (body.length < 4096) body += chunk; });
      response.on('error', () => {});
      response.on('end', () => {
        request.destroy();
        let error = `HTTP ${response.statusCode}`;
        try { error += ' ' + JSON.parse(body).error; } catch { /* not JSON */ }
        if (response.statusCode === 401 || response.statusCode === 403) giveUp(error);
        else retry(error, Number(response.headers['retry-after']) || 0);
      });
    });
    ws.on('error', (error) => { // followed by close (or handled above)
      if (error.code) log(`connection error: ${error.code}`); // e.g. a certificate the kiosk does not trust
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message;
      try { message = JSON.parse(String(data)); } catch { return; }
      if (message.type === 'welcome') {
        log(`connected as ${message.kiosk}, session ${message.session}`);
        stableTimer = setTimeout(() => { attempt = 0; }, 10000); // stable: backoff starts afresh
        send({ type: 'status', clientVersion: 'node-kiosk-example/1.0', pageUrl: '' });
        for (const id of pending) send({ type: 'done', id });
        pending.clear();
      } else if (message.type === 'command' && typeof message.id === 'string') {
        onCommand(message);
      }
    });
    ws.on('close', (code, reason) => {
      clearTimeout(stableTimer);
      if (socket !== ws || stopped) return;
      socket = null;
      if (resetting) { // our own close for a reset: come back at once
        resetting = false;
        log('reset: reconnecting');
        return open();
      }
      if (TERMINAL_CLOSE_CODES.includes(code)) return giveUp(`close ${code} ${reason}`);
      if (refused) return; // the 'unexpected-response' handler decides
      retry(`close ${code}`);
    });
  }

  function onCommand(command) {
    if (handled.includes(command.id)) return send({ type: 'ack', id: command.id, ok: true }); // redelivery
    if (command.name !== 'reset' && command.name !== 'reload') {
      return send({ type: 'ack', id: command.id, ok: false, error: 'unknown_command' });
    }
    handled.push(command.id);
    if (handled.length > 50) handled.shift();
    send({ type: 'ack', id: command.id, ok: true }); // ack BEFORE acting
    log(`command ${command.name} ${command.id}: resetting`);
    pending.add(command.id);
    resetting = true;
    socket.close(); // a real kiosk restarts its app here; we reconnect
  }

  open();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      socket?.close(1000, 'kiosk stopping');
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { default: WebSocket } = await import('ws');
  const url = process.env.KIOSKGATE_URL || 'wss://127.0.0.1:8765/v1/kiosk';
  const ca = process.env.KIOSKGATE_CA ? readFileSync(process.env.KIOSKGATE_CA) : null;
  const file = process.env.KIOSKGATE_TOKEN_FILE;
  if (!process.env.KIOSKGATE_TOKEN && !file) {
    console.error('kiosk.mjs: set KIOSKGATE_TOKEN or KIOSKGATE_TOKEN_FILE (from: kioskgate token issue NAME)');
    process.exit(2);
  }
  // Read on every attempt, so a new token file takes effect without a restart.
  const getToken = () => (file ? readFileSync(file, 'utf8').trim() : process.env.KIOSKGATE_TOKEN);
  const kiosk = runKiosk({ url, getToken, WebSocket, ca, log: (line) => console.log(new Date().toISOString(), line) });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { kiosk.stop(); setTimeout(() => process.exit(0), 500); });
}
