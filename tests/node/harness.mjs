// Shared helpers for the KioskGate end-to-end tests: temporary data
// directories, the real `kioskgate` executable (CLI and headless server),
// kiosk pages served from plain Node HTTP servers, and WebSocket clients.
//
// Every wait here is bounded: a test fails with the captured output instead
// of hanging. Everything started is stopped in the tests' `after` hooks, and
// as a last resort when this process exits.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The kioskgate executable: $KIOSKGATE_BIN (set by CTest) or the dev build. */
export const KIOSKGATE_BIN =
  process.env.KIOSKGATE_BIN || path.resolve(here, '../../build/dev/app/kioskgate');

/** Where screenshots and other test artefacts go (never committed). */
export const OUTPUT_DIR =
  process.env.KIOSKGATE_TEST_OUTPUT_DIR || path.resolve(here, '../../build/dev/tests/node/output');

export const KIOSK_PATH = '/v1/kiosk';

// Children still running when this process ends are killed, so a crashed
// test file never leaves a server behind.
const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Rejects with `label` if `promise` has not settled within `ms`. */
export function withTimeout(promise, ms, label) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${label}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// Data directories

const dataDirs = [];

/**
 * A fresh, private data directory. `settings` (section -> key -> value) is
 * written to its settings.ini, e.g. {limits: {failure_burst: 1000}}.
 */
export async function makeDataDir(settings = null) {
  const dir = await mkdtemp(path.join(tmpdir(), 'kioskgate-e2e-'));
  dataDirs.push(dir);
  if (settings) {
    let ini = '';
    for (const [section, values] of Object.entries(settings)) {
      ini += `[${section}]\n`;
      for (const [key, value] of Object.entries(values)) ini += `${key}=${value}\n`;
    }
    await writeFile(path.join(dir, 'settings.ini'), ini);
  }
  return dir;
}

export async function removeDataDirs() {
  while (dataDirs.length) await rm(dataDirs.pop(), { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// Command line

/** Every CLI run of this process: {args, code, stdout, stderr, ms}. */
export const cliRuns = [];

/**
 * Runs `kioskgate ARGS... --data-dir DIR` and resolves (never rejects on a
 * non-zero exit) with {code, stdout, stderr, ms}. Bounded by `timeoutMs`.
 */
export function cli(args, { dataDir, timeoutMs = 15000 } = {}) {
  const fullArgs = dataDir ? [...args, '--data-dir', dataDir] : args;
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(KIOSKGATE_BIN, fullArgs, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const run = {
        args: fullArgs,
        code: error ? (error.killed ? `killed after ${timeoutMs} ms` : error.code) : 0,
        stdout,
        stderr,
        ms: performance.now() - started,
      };
      cliRuns.push(run);
      resolve(run);
    });
  });
}

/** Like cli() but throws with the output unless the exit code is 0. */
export async function cliOk(args, options) {
  const run = await cli(args, options);
  if (run.code !== 0) {
    throw new Error(
      `kioskgate ${run.args.join(' ')} exited with ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
    );
  }
  return run;
}

/**
 * Like cli() for a command run with --json: adds `json`, the parsed stdout,
 * or null when stdout is not JSON (the caller's assertion then shows it).
 */
export async function cliJson(args, options) {
  const run = await cli(args, options);
  let json = null;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    // reported by the caller
  }
  return { ...run, json };
}

/** Issues a token for kiosk `name` and returns it (stdout holds it alone). */
export async function issueToken(dataDir, name, { expires, origins = [] } = {}) {
  const args = ['token', 'issue', name];
  if (expires) args.push('--expires', expires);
  for (const origin of origins) args.push('--origin', origin);
  const run = await cliOk(args, { dataDir });
  const token = run.stdout.trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token) || run.stdout !== `${token}\n`) {
    throw new Error(`token issue printed something other than one JWT: ${JSON.stringify(run.stdout)}`);
  }
  return token;
}

/** The decoded claims (payload) of a JWT. */
export function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * The token with one character in the middle of its signature changed, so it
 * is well-formed but its signature is wrong. (Not the last character: in
 * base64url that one partly holds padding bits.)
 */
export function tamper(token) {
  const [header, payload, signature] = token.split('.');
  const i = Math.floor(signature.length / 2);
  const replacement = signature[i] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, i)}${replacement}${signature.slice(i + 1)}`;
}

// ---------------------------------------------------------------------------
// The headless server

/**
 * Starts `kioskgate --headless` on an ephemeral loopback port and waits for
 * its ready line. Plain ws:// (--no-tls) unless `tls` is true. Resolves with
 * a handle:
 *   port, url (ws[s]://127.0.0.1:PORT/v1/kiosk), httpBase (http[s]://...),
 *   output() (all stdout+stderr so far), waitForOutput(regex, ms), stop()
 *   (SIGTERM, awaits exit).
 */
export async function startServer({
  dataDir,
  allowOrigins = [],
  allowQueryToken = false,
  tls = false,
  extraArgs = [],
  readyTimeoutMs = 15000,
} = {}) {
  const args = ['--headless', '--data-dir', dataDir, '--listen', '127.0.0.1:0'];
  if (!tls) args.push('--no-tls');
  for (const origin of allowOrigins) args.push('--allow-origin', origin);
  if (allowQueryToken) args.push('--allow-query-token');
  args.push(...extraArgs);

  const child = spawn(KIOSKGATE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  let output = '';
  const watchers = new Set();
  const append = (chunk) => {
    output += chunk.toString('utf8');
    for (const check of watchers) check();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
      for (const check of watchers) check();
    });
    child.on('error', (error) => {
      output += `\n[spawn error] ${error.message}\n`;
      liveChildren.delete(child);
      resolve({ code: null, signal: null, error });
      for (const check of watchers) check();
    });
  });
  let exitStatus = null;
  exited.then((status) => {
    exitStatus = status;
  });

  const waitForOutput = (regex, ms = 5000) =>
    new Promise((resolve, reject) => {
      let timer;
      const check = () => {
        const match = regex.exec(output);
        if (match) {
          watchers.delete(check);
          clearTimeout(timer);
          resolve(match);
        } else if (exitStatus || child.exitCode !== null || child.signalCode !== null) {
          watchers.delete(check);
          clearTimeout(timer);
          reject(new Error(`server exited (${JSON.stringify(exitStatus)}) before printing ${regex}\n--- output ---\n${output}`));
        }
      };
      timer = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`server did not print ${regex} within ${ms} ms\n--- output ---\n${output}`));
      }, ms);
      watchers.add(check);
      check();
    });

  let match;
  try {
    match = await waitForOutput(/ready: (wss?):\/\/127\.0\.0\.1:(\d+)\/v1\/kiosk/, readyTimeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  if ((match[1] === 'wss') !== tls) throw new Error(`asked for tls=${tls}, server said ${match[0]}`);
  const port = Number(match[2]);
  if (!(port > 0 && port < 65536)) throw new Error(`bad port in ready line: ${match[0]}`);

  let stopped = null;
  return {
    child,
    port,
    url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}${KIOSK_PATH}`,
    httpBase: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    output: () => output,
    waitForOutput,
    /** SIGTERM and wait (bounded) for a clean exit; resolves {code, signal}. */
    stop(ms = 10000) {
      if (stopped) return stopped;
      if (exitStatus) {
        stopped = Promise.resolve(exitStatus);
        return stopped;
      }
      child.kill('SIGTERM');
      stopped = withTimeout(exited, ms, `kioskgate pid ${child.pid} to exit after SIGTERM`).catch((error) => {
        child.kill('SIGKILL');
        throw new Error(`${error.message}\n--- output ---\n${output}`);
      });
      return stopped;
    },
  };
}

// ---------------------------------------------------------------------------
// Kiosk pages

/**
 * Serves `html` at "/" (and 404 elsewhere) on 127.0.0.1, ephemeral port;
 * over https when `tls` is {key, cert} (PEM). Resolves with
 * {port, origin, url, close()}.
 */
export async function startPageServer(html, { tls = null } = {}) {
  const sockets = new Set();
  const handler = (req, res) => {
    if (req.method === 'GET' && (req.url === '/' || req.url.startsWith('/?'))) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(html);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  };
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await withTimeout(
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    }),
    5000,
    'page server to listen',
  );
  const { port } = server.address();
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    port,
    origin,
    url: `${origin}/`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return withTimeout(new Promise((resolve) => server.close(() => resolve())), 5000, 'page server to close');
    },
  };
}

// ---------------------------------------------------------------------------
// WebSocket clients (Node `ws`)

/**
 * Opens a `ws` client and resolves once the outcome is known:
 *   {kind: 'welcome', ws, welcome, upgradeHeaders (raw array), protocol}
 *   {kind: 'refused', status, headers, rawHeaders, body, json}
 *   {kind: 'closed', code, reason}  (upgrade succeeded but closed before welcome)
 *   {kind: 'error', error}
 * `ca` (PEM) is the trust anchor for wss:// URLs.
 * Never hangs: after `timeoutMs` it rejects.
 */
export function connect(url, { protocols, headers, origin, timeoutMs = 5000, localAddress, ca } = {}) {
  return withTimeout(
    new Promise((resolve) => {
      const options = { handshakeTimeout: timeoutMs };
      if (ca) options.ca = ca;
      if (headers) options.headers = headers;
      if (origin) options.origin = origin;
      if (localAddress) options.localAddress = localAddress;
      const ws = protocols ? new WebSocket(url, protocols, options) : new WebSocket(url, options);
      let upgradeHeaders = null;
      let settled = false;
      const settle = (value) => {
        if (!settled) {
          settled = true;
          resolve(value);
        }
      };
      ws.on('upgrade', (res) => {
        upgradeHeaders = res.rawHeaders.slice();
      });
      ws.on('unexpected-response', (req, res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json = null;
          try {
            json = JSON.parse(body);
          } catch {
            // not JSON; the assertion on json will say so
          }
          settle({ kind: 'refused', status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, body, json });
          req.destroy();
        });
        res.on('error', (error) => settle({ kind: 'error', error }));
      });
      ws.on('message', (data, isBinary) => {
        if (settled) return;
        let message = null;
        try {
          message = JSON.parse(data.toString('utf8'));
        } catch {
          // fall through
        }
        if (!isBinary && message && message.type === 'welcome') {
          settle({ kind: 'welcome', ws, welcome: message, upgradeHeaders, protocol: ws.protocol });
        } else {
          settle({ kind: 'error', error: new Error(`first message is not a welcome: ${data}`) });
          ws.terminate();
        }
      });
      ws.on('close', (code, reason) => settle({ kind: 'closed', code, reason: reason.toString() }));
      ws.on('error', (error) => {
        if (!settled) settle({ kind: 'error', error });
      });
    }),
    timeoutMs + 1000,
    `WebSocket outcome for ${url}`,
  );
}

/** Resolves with {code, reason, at} when `ws` closes; rejects after `ms`. */
export function closed(ws, ms) {
  if (ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error('socket already closed'));
  return withTimeout(
    new Promise((resolve) => {
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: performance.now() }));
    }),
    ms,
    'WebSocket close',
  );
}

/** Closes a client and waits (bounded) for the close to complete. */
export async function closeClient(ws, ms = 3000) {
  if (!ws || ws.readyState === WebSocket.CLOSED) return;
  const done = new Promise((resolve) => ws.once('close', resolve));
  ws.close(1000);
  try {
    await withTimeout(done, ms, 'client close');
  } catch {
    ws.terminate();
  }
}

/** Values of header `name` (case-insensitive) in a rawHeaders array. */
export function rawHeaderValues(rawHeaders, name) {
  const values = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === name.toLowerCase()) values.push(rawHeaders[i + 1]);
  }
  return values;
}

export { WebSocket };
