#!/usr/bin/env node
// KioskGate against Node's ws + jsonwebtoken: runs both servers alternately
// (A B A B ...) at each fleet size with the same epoll load client, and
// prints a Markdown table of medians and ratios.
//
//   node bench/run.mjs --kioskgate build/release/app/kioskgate \
//       --client build/release/bench/kioskgate-loadclient [--sizes 1000,5000,10000] [--runs 2]
//
// KioskGate runs with --no-tls (the peer serves plain ws://). Each run starts
// a fresh server (fresh data directory), so memory is measured from the same
// baseline. Options: --sizes, --runs, --inflight (100), --storm (1000),
// --tokens per-kiosk|shared (per-kiosk: a token and a name for every kiosk,
// as a fleet is provisioned; shared: one token for the whole fleet),
// --json FILE (raw results).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const kioskgate = path.resolve(args.kioskgate ?? 'build/release/app/kioskgate');
const client = path.resolve(args.client ?? 'build/release/bench/kioskgate-loadclient');
const sizes = (args.sizes ?? '1000,5000,10000').split(',').map(Number);
const runs = Number(args.runs ?? 2);
const inflight = Number(args.inflight ?? 100);
const storm = Number(args.storm ?? 1000);
const tokens = args.tokens ?? 'per-kiosk';
if (!['per-kiosk', 'shared'].includes(tokens)) {
  console.error(`--tokens: "${tokens}" is neither per-kiosk nor shared`);
  process.exit(2);
}
// The kiosk names tokens are issued for: one each, or one for the whole fleet.
const fleetNames = (n) => (tokens === 'shared' ? ['bench']
  : Array.from({ length: n }, (_, i) => `kiosk-${String(i).padStart(5, '0')}`));
const ORIGIN = 'http://kiosk.bench';

for (const dep of ['ws', 'jsonwebtoken']) {
  if (!fs.existsSync(path.join(here, 'node_modules', dep))) {
    console.error(`missing npm package ${dep}: run npm ci --prefix bench (scripts/setup-node-tests.sh)`);
    process.exit(2);
  }
}
for (const file of [kioskgate, client]) {
  if (!fs.existsSync(file)) {
    console.error(`missing ${file}: build it first (see docs/performance.md)`);
    process.exit(2);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, ms = 30000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`port ${port} not ready`);
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const until = Date.now() + 10000;
  while (child.exitCode === null && Date.now() < until) await sleep(50);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function startKioskGate(dir, n) {
  const common = ['-d', dir, '--insecure-file-secrets'];
  const names = fleetNames(n);
  if (tokens === 'shared') {
    // The whole fleet shares one token; lift the per-token cap (an abuse
    // limit, default 8) so it does not refuse the benchmark's kiosks with 429.
    fs.writeFileSync(path.join(dir, 'settings.ini'), '[limits]\nmax_connections_per_token=1000000\n');
  }
  // One process for the whole fleet: "NAME TOKEN" lines (one token alone).
  const issued = spawnSync(kioskgate, ['token', 'issue', ...names, ...common],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (issued.status !== 0) throw new Error(`token issue failed: ${issued.stderr}`);
  fs.writeFileSync(path.join(dir, 'token'), issued.stdout);
  const port = await freePort();
  const child = spawn(kioskgate, ['--headless', ...common, '--no-tls', '--listen', `127.0.0.1:${port}`,
    '--allow-origin', ORIGIN, '--max-connections', '100000'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, child);
  const trigger = [kioskgate, 'reset-all', ...common, '--wait', '0'].map((a) => `'${a}'`).join(' ');
  return { child, port, clientArgs: ['--trigger', `${trigger} >/dev/null 2>&1`] };
}

async function startWs(dir, n) {
  const secret = crypto.randomBytes(32).toString('hex');
  fs.writeFileSync(path.join(dir, 'secret'), secret);
  const jwt = (await import('jsonwebtoken')).default;
  const key = crypto.createSecretKey(Buffer.from(secret, 'hex'));
  const names = fleetNames(n);
  const lines = names.map((name) => `${name} ${jwt.sign({ sub: name, jti: crypto.randomUUID() }, key,
    { algorithm: 'HS256', issuer: 'kioskgate-bench', audience: 'kioskgate', expiresIn: '1d' })}`);
  fs.writeFileSync(path.join(dir, 'token'), `${lines.join('\n')}\n`);
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(here, 'peer-server.mjs'), '--port', String(port),
    '--secret-file', path.join(dir, 'secret'), '--origin', ORIGIN], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, child);
  // Triggered by a command-line tool as well, like `kioskgate reset-all`.
  const trigger = `'${process.execPath}' '${path.join(here, 'peer-reset.mjs')}' ${port}`;
  return { child, port, clientArgs: ['--trigger', `${trigger} >/dev/null 2>&1`] };
}

async function runOnce(kind, n) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kgbench-${kind}-`));
  const server = kind === 'kioskgate' ? await startKioskGate(dir, n) : await startWs(dir, n);
  try {
    await sleep(300); // let start-up settle before the baseline sample
    const out = spawnSync(client, ['--port', String(server.port), '--n', String(n), '--inflight', String(inflight),
      '--storm', String(storm), '--token-file', path.join(dir, 'token'), '--origin', ORIGIN,
      '--server-pid', String(server.child.pid), ...server.clientArgs], { encoding: 'utf8', timeout: 600000 });
    if (out.status !== 0) throw new Error(`load client failed (${out.status}): ${out.stderr}`);
    return JSON.parse(out.stdout.trim().split('\n').pop());
  } finally {
    await stop(server.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

const results = [];
for (const n of sizes) {
  for (let r = 0; r < runs; r += 1) {
    for (const kind of ['kioskgate', 'ws']) {
      const result = await runOnce(kind, n);
      result.kind = kind;
      result.run = r;
      results.push(result);
      process.stderr.write(`${kind} n=${n} run ${r + 1}/${runs}: ${result.handshakesPerSec.toFixed(0)} hs/s, `
        + `all acks ${result.allAcksMs.toFixed(0)} ms, ${result.kibPerConnection.toFixed(1)} KiB/conn, `
        + `failures ${result.connectFailures}+${result.stormFailures}${result.lastFailure ? ` (${result.lastFailure})` : ''}\n`);
    }
  }
}
if (args.json) fs.writeFileSync(args.json, JSON.stringify(results, null, 2));

const metrics = [
  ['handshakes/s', 'handshakesPerSec', 0, 'higher'],
  ['first 1k handshakes/s', 'first1kPerSec', 0, 'higher'],
  ['last 1k handshakes/s', 'last1kPerSec', 0, 'higher'],
  ['last 1k / first 1k', null, 2, 'higher', (r) => r.last1kPerSec / r.first1kPerSec],
  ['handshake p50 ms', 'handshakeP50Ms', 1, 'lower'],
  ['handshake p99 ms', 'handshakeP99Ms', 1, 'lower'],
  ['connect failures', 'connectFailures', 0, 'lower'],
  ['storm (1,000 in flight) failures', 'stormFailures', 0, 'lower'],
  ['storm p99 ms', 'stormP99Ms', 1, 'lower'],
  ['reset-all delivery p50 ms', 'deliveryP50Ms', 1, 'lower'],
  ['reset-all delivery p99 ms', 'deliveryP99Ms', 1, 'lower'],
  ['reset-all: trigger to all acks ms', 'allAcksMs', 1, 'lower'],
  ['reset-all: first frame to all acks ms', 'firstFrameToAllAcksMs', 1, 'lower'],
  ['reset-all: server CPU ms until all acks', 'broadcastServerCpuMs', 0, 'lower'],
  ['reset-all: load client CPU ms until all acks', 'broadcastClientCpuMs', 0, 'lower'],
  ['KiB per connection', 'kibPerConnection', 1, 'lower'],
  ['server CPU ms per 1k handshakes', 'serverCpuMsPer1k', 0, 'lower'],
  ['load client CPU ms per 1k handshakes', 'clientCpuMsPer1k', 0, 'lower'],
  ['server CPU ms/s, fleet idle', 'idleCpuMsPerSec', 0, 'lower'],
];

const lines = [];
lines.push(`| metric (median of ${runs}) | ${sizes.map((n) => `KioskGate ${n} | ws ${n} | ratio`).join(' | ')} |`);
lines.push(`| --- | ${sizes.map(() => '---: | ---: | ---:').join(' | ')} |`);
for (const [label, key, digits, , derive] of metrics) {
  const cells = [];
  for (const n of sizes) {
    const pick = (kind) => median(results.filter((r) => r.kind === kind && r.n === n).map((r) => (derive ? derive(r) : r[key])));
    const a = pick('kioskgate');
    const b = pick('ws');
    const ratio = b === 0 ? (a === 0 ? '=' : '∞') : (a / b).toFixed(2);
    cells.push(`${Number.isFinite(a) ? a.toFixed(digits) : '-'} | ${Number.isFinite(b) ? b.toFixed(digits) : '-'} | ${ratio}`);
  }
  lines.push(`| ${label} | ${cells.join(' | ')} |`);
}
console.log(lines.join('\n'));

// Issue 7's targets at the largest fleet, run by run: the runs alternate
// (KioskGate, ws, KioskGate, ws...), so run i of each is a pair measured
// side by side. A median alone hides how often a target is met.
const largest = Math.max(...sizes);
const pairs = [];
for (let r = 0; r < runs; r += 1) {
  const kg = results.find((x) => x.kind === 'kioskgate' && x.n === largest && x.run === r);
  const ws = results.find((x) => x.kind === 'ws' && x.n === largest && x.run === r);
  if (kg && ws) pairs.push({ kg, ws });
}
const targets = [
  ['handshakes/s >= 2x ws', (p) => p.kg.handshakesPerSec / p.ws.handshakesPerSec, (v) => v >= 2, (v) => `${v.toFixed(2)}x`],
  ['last 1k >= 70% of first 1k', (p) => p.kg.last1kPerSec / p.kg.first1kPerSec, (v) => v >= 0.7, (v) => `${(v * 100).toFixed(0)}%`],
  ['reset-all: trigger to all acks <= 0.6x ws', (p) => p.kg.allAcksMs / p.ws.allAcksMs, (v) => v <= 0.6, (v) => `${v.toFixed(2)}x`],
  ['memory per connection <= ws', (p) => p.kg.kibPerConnection / p.ws.kibPerConnection, (v) => v <= 1, (v) => `${v.toFixed(2)}x`],
  ['storm: 0 failures, p99 < 200 ms', (p) => (p.kg.stormFailures > 0 ? Infinity : p.kg.stormP99Ms), (v) => v < 200,
    (v) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'failures')],
];
const targetLines = [`\n| target at ${largest} kiosks | run by run | met in |`, '| --- | --- | --- |'];
for (const [label, value, met, show] of targets) {
  const values = pairs.map(value);
  targetLines.push(`| ${label} | ${values.map(show).join(', ')} | ${values.filter(met).length} of ${values.length} |`);
}
console.log(targetLines.join('\n'));
console.log(`\nTokens: ${tokens === 'shared' ? 'one shared by the whole fleet' : 'one per kiosk'}. `
  + `ratio = KioskGate / ws. Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} `
  + `(${os.cpus().length} CPUs).`);

// A refused or failed connection is a wrong result, not a slow one: say so in
// the exit status (the table above still shows every figure).
const failedRuns = results.filter((r) => r.connectFailures > 0 || r.stormFailures > 0);
if (failedRuns.length > 0) {
  for (const r of failedRuns) {
    console.error(`${r.kind} n=${r.n} run ${r.run + 1}: ${r.connectFailures} connect and ${r.stormFailures} storm failures`
      + `${r.lastFailure ? ` (last: ${r.lastFailure})` : ''}`);
  }
  process.exitCode = 1;
}
