// Recorded commands against a fleet of Node `ws` kiosks in one process:
// `kioskgate reset-all` reaches every kiosk and the CLI's counts equal what
// the kiosks saw; offline kiosks get a command when they reconnect inside its
// freshness window and never after it; no kiosk ever receives one command id
// twice; a console killed mid-command resumes it from its database.
//
// Each simulated kiosk behaves like kioskgate.js: on a command it acks
// (before acting), "reloads" (closes and reconnects), and after the next
// welcome reports {"type":"done","id"}.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  cli,
  cliJson,
  issueToken,
  makeDataDir,
  removeDataDirs,
  sleep,
  startServer,
  WebSocket,
  withTimeout,
} from './harness.mjs';

const FLEET_SIZE = Number(process.env.KIOSKGATE_FLEET_SIZE || 300);

/** Where kiosks connect; changes when the console restarts on a new port. */
const endpoint = { url: null };

class Kiosk {
  constructor(name, token) {
    this.name = name;
    this.token = token;
    this.ws = null;
    this.received = []; // every command id that arrived, in order, duplicates included
    this.acted = new Set(); // ids handled (the client's own de-duplication)
    this.toConfirm = []; // ids to report as done after the next welcome
    this.confirmed = []; // ids reported as done
    this.holdReload = false; // ack but do not reload until told
    this.connects = 0;
  }

  get online() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Opens a session; resolves after the welcome (rejects on refusal or in 10 s). */
  connect() {
    const ws = new WebSocket(endpoint.url, {
      headers: { Authorization: `Bearer ${this.token}` },
      handshakeTimeout: 10000,
    });
    this.ws = ws;
    return withTimeout(
      new Promise((resolve, reject) => {
        // Attached before any frame can arrive: a command may follow the
        // welcome in the same TCP read.
        ws.on('message', (data) => {
          const message = JSON.parse(data.toString('utf8'));
          if (message.type === 'welcome') {
            this.connects += 1;
            for (const id of this.toConfirm.splice(0)) {
              ws.send(JSON.stringify({ type: 'done', id }));
              this.confirmed.push(id);
            }
            resolve();
          } else if (message.type === 'command') {
            this.onCommand(ws, message);
          }
        });
        ws.on('unexpected-response', (req, res) => reject(new Error(`${this.name}: HTTP ${res.statusCode}`)));
        ws.on('error', (error) => reject(error));
        ws.on('close', (code) => reject(new Error(`${this.name}: closed ${code} before the welcome`)));
      }),
      12000,
      `${this.name} to connect`,
    );
  }

  onCommand(ws, message) {
    this.received.push(message.id);
    assert.ok(['reset', 'reload'].includes(message.name), JSON.stringify(message));
    assert.ok(Date.parse(message.expiresAt) > Date.parse(message.issuedAt), JSON.stringify(message));
    ws.send(JSON.stringify({ type: 'ack', id: message.id, ok: true }));
    if (this.acted.has(message.id)) return; // idempotent by id
    this.acted.add(message.id);
    this.toConfirm.push(message.id);
    if (!this.holdReload) this.reload(ws);
  }

  /** The page reloads: the connection goes and a new one comes. */
  reload(ws = this.ws) {
    ws.once('close', () => {
      if (this.ws === ws) this.connect().catch((error) => this.errors.push(error));
    });
    ws.close(1000);
  }

  /** Goes offline (no reconnect); resolves when the socket is closed. */
  async disconnect() {
    const ws = this.ws;
    this.ws = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closedNow = new Promise((resolve) => ws.once('close', resolve));
    ws.close(1000);
    await withTimeout(closedNow, 5000, `${this.name} to close`).catch(() => ws.terminate());
  }

  errors = [];
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function inBatches(items, limit, fn) {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length) await fn(queue.shift());
  });
  await Promise.all(workers);
}

/** cliJson() from the harness for this file's data directory. */
const cliJsonIn = (args, dataDir, timeoutMs = 60000) => cliJson(args, { dataDir, timeoutMs });

/** Polls `kioskgate commands --json` until `check(command)` holds (bounded). */
async function waitForCommand(dataDir, id, check, ms, label) {
  const deadline = Date.now() + ms;
  let last = null;
  while (Date.now() < deadline) {
    const run = await cliJsonIn(['commands', '--json'], dataDir);
    last = run.json?.commands?.find((c) => c.id === id) ?? run;
    if (run.json && last.id && check(last)) return last;
    await sleep(200);
  }
  throw new Error(`${label}: not reached within ${ms} ms; last: ${JSON.stringify(last)}`);
}

/** Polls `kioskgate status --json` until the live kiosk names equal `names`. */
async function waitForOnline(dataDir, names, ms = 15000) {
  const want = [...names].sort();
  const deadline = Date.now() + ms;
  let got = null;
  while (Date.now() < deadline) {
    const run = await cliJsonIn(['status', '--json'], dataDir);
    got = [...new Set((run.json?.sessions ?? []).map((s) => s.kiosk))].sort();
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    await sleep(150);
  }
  throw new Error(`online kiosks did not settle: want ${want.length}, got ${got?.length}`);
}

function assertNoDuplicates(kiosks) {
  for (const kiosk of kiosks) {
    const seen = new Set();
    for (const id of kiosk.received) {
      assert.ok(!seen.has(id), `${kiosk.name} received command ${id} twice: ${kiosk.received.join(' ')}`);
      seen.add(id);
    }
    assert.deepEqual(kiosk.errors, [], `${kiosk.name} reconnect errors`);
  }
}

const received = (kiosks, id) => kiosks.filter((k) => k.received.includes(id));
const confirmed = (kiosks, id) => kiosks.filter((k) => k.confirmed.includes(id));

async function makeFleet(dataDir, prefix, count) {
  const kiosks = [];
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  await inBatches(names, 4, async (name) => {
    kiosks.push(new Kiosk(name, await issueToken(dataDir, name)));
  });
  kiosks.sort((a, b) => a.name.localeCompare(b.name));
  return kiosks;
}

describe(`recorded commands with ${FLEET_SIZE} ws kiosks`, { timeout: 240000 }, () => {
  let dataDir;
  let server;
  let fleet;

  before(async () => {
    dataDir = await makeDataDir();
    server = await startServer({ dataDir });
    endpoint.url = server.url;
    const started = Date.now();
    fleet = await makeFleet(dataDir, 'lobby', FLEET_SIZE);
    await inBatches(fleet, 32, (k) => k.connect());
    console.log(`${FLEET_SIZE} tokens issued and kiosks connected in ${Date.now() - started} ms`);
  });

  after(async () => {
    await Promise.all((fleet ?? []).map((k) => k.disconnect()));
    if (server) await server.stop().catch(() => {});
    await removeDataDirs();
  });

  test('reset-all reaches every kiosk and the CLI counts equal what the kiosks saw', async () => {
    const run = await cliJsonIn(['reset-all', '--json', '--wait', '45'], dataDir, 60000);
    assert.equal(run.code, 0, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
    const command = run.json;
    console.log(`reset-all settled in ${run.ms.toFixed(0)} ms: ${JSON.stringify(command.counts)}`);
    assert.equal(command.name, 'reset');
    assert.equal(command.allKiosks, true);
    assert.equal(command.total, FLEET_SIZE);
    assert.equal(command.targets.length, FLEET_SIZE);
    assert.equal(command.counts.done, FLEET_SIZE);
    assert.deepEqual(command.outcome, {
      total: FLEET_SIZE,
      done: FLEET_SIZE,
      confirmed: true,
      offline: [],
      failed: [],
      unconfirmed: [],
      waitedSeconds: command.outcome.waitedSeconds,
    });
    // What the CLI says equals what the kiosks saw, kiosk by kiosk.
    assert.equal(received(fleet, command.id).length, command.counts.done);
    assert.equal(confirmed(fleet, command.id).length, command.counts.done);
    const doneNames = command.targets.filter((t) => t.state === 'done').map((t) => t.kiosk);
    assert.deepEqual(doneNames, confirmed(fleet, command.id).map((k) => k.name));
    assert.ok(fleet.every((k) => k.connects === 2), 'each kiosk reconnected exactly once');
    assertNoDuplicates(fleet);
  });

  test('named kiosks only; unknown names are refused and named', async () => {
    const [a, b] = fleet;
    const run = await cli(['reload', a.name, b.name, '--wait', '30'], { dataDir, timeoutMs: 40000 });
    assert.equal(run.code, 0, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
    const lines = run.stdout.trim().split('\n');
    assert.match(lines[0], /^Command [0-9a-f]{16} \(reload\) issued to 2 kiosk\(s\): 2 sent\.$/);
    assert.equal(lines.at(-1), '2 of 2 reloaded');
    const id = lines[0].split(' ')[1];
    assert.deepEqual(received(fleet, id).map((k) => k.name), [a.name, b.name]);

    const refused = await cli(['reset', a.name, 'ghost-1', 'ghost-2', '--wait', '0'], { dataDir });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /unknown kiosks \(no active token and not connected\): ghost-1, ghost-2/);
    const usage = await cli(['reset'], { dataDir });
    assert.equal(usage.code, 2, usage.stderr);
    assertNoDuplicates(fleet);
  });

  test('offline kiosks get the command when they reconnect; the counts follow', async () => {
    const offline = fleet.filter((_, i) => i % 12 === 5); // 25 of 300
    await Promise.all(offline.map((k) => k.disconnect()));
    await waitForOnline(dataDir, fleet.filter((k) => !offline.includes(k)).map((k) => k.name));

    const run = await cli(['reset-all', '--wait', '45'], { dataDir, timeoutMs: 60000 });
    assert.equal(run.code, 0, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
    const lines = run.stdout.trim().split('\n');
    const id = lines[0].split(' ')[1];
    const names = offline.map((k) => k.name);
    const shown = `${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`;
    assert.equal(lines.at(-1), `${FLEET_SIZE - offline.length} of ${FLEET_SIZE} reset, ${offline.length} offline (${shown})`);
    assert.equal(received(fleet, id).length, FLEET_SIZE - offline.length);
    assert.ok(offline.every((k) => !k.received.includes(id)));

    await Promise.all(offline.map((k) => k.connect()));
    const final = await waitForCommand(dataDir, id, (c) => c.counts.done === FLEET_SIZE, 30000, 'all done');
    assert.equal(final.finished, true);
    assert.equal(received(fleet, id).length, FLEET_SIZE);
    assert.equal(confirmed(fleet, id).length, FLEET_SIZE);
    assertNoDuplicates(fleet);
  });

  test('a console killed mid-command keeps the command and its states, and completes after a restart', async () => {
    const offline = fleet.filter((_, i) => i % 10 === 3); // 30 offline
    const holding = fleet.filter((_, i) => i % 10 === 7); // 30 ack but have not reloaded yet
    await Promise.all(offline.map((k) => k.disconnect()));
    await waitForOnline(dataDir, fleet.filter((k) => !offline.includes(k)).map((k) => k.name));
    for (const k of holding) k.holdReload = true;

    const issued = await cliJsonIn(['reset-all', '--json', '--wait', '0'], dataDir);
    assert.equal(issued.code, 0, issued.stderr);
    const { id } = issued.json;
    const online = FLEET_SIZE - offline.length;
    const before = await waitForCommand(
      dataDir,
      id,
      (c) => c.counts.done === online - holding.length && c.counts.delivered === holding.length,
      30000,
      'online kiosks done or delivered',
    );
    assert.equal(before.counts.pending, offline.length);

    // Killed without a chance to write anything more.
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGKILL');
    await withTimeout(exited, 10000, 'kioskgate to die');
    for (const k of fleet) k.ws = null; // sockets died with the console
    const stored = await cliJsonIn(['commands', '--json'], dataDir);
    assert.equal(stored.code, 0, stored.stderr);
    const kept = stored.json.commands.find((c) => c.id === id);
    assert.deepEqual(kept.counts, before.counts, 'states read from the database while no console runs');
    assert.equal(kept.finished, false);

    server = await startServer({ dataDir });
    endpoint.url = server.url;
    for (const k of holding) k.holdReload = false;
    await inBatches(fleet, 32, (k) => k.connect());
    // The held kiosks now reload after their ack... they already acked: the
    // new session reports done at once (toConfirm), with no second frame.
    const final = await waitForCommand(dataDir, id, (c) => c.counts.done === FLEET_SIZE, 30000, 'done after restart');
    assert.equal(final.finished, true);
    assert.equal(received(fleet, id).length, FLEET_SIZE);
    assert.ok(holding.every((k) => k.received.filter((x) => x === id).length === 1));
    assert.match(server.output(), /resumed 1 unfinished command/);
    assertNoDuplicates(fleet);
  });
});

describe('freshness window', { timeout: 60000 }, () => {
  let dataDir;
  let server;
  let fleet;

  before(async () => {
    dataDir = await makeDataDir();
    server = await startServer({ dataDir, extraArgs: ['--command-freshness', '4'] });
    endpoint.url = server.url;
    fleet = await makeFleet(dataDir, 'museum', 12);
  });

  after(async () => {
    await Promise.all((fleet ?? []).map((k) => k.disconnect()));
    if (server) await server.stop().catch(() => {});
    await removeDataDirs();
  });

  test('kiosks reconnecting inside the window get the command, later ones never', async () => {
    endpoint.url = server.url;
    const online = fleet.slice(0, 6);
    const early = fleet.slice(6, 9);
    const late = fleet.slice(9);
    await Promise.all(online.map((k) => k.connect()));

    const issued = await cliJsonIn(['reload-all', '--json', '--wait', '0'], dataDir);
    assert.equal(issued.code, 0, issued.stderr);
    const { id, expiresAt, issuedAt } = issued.json;
    assert.equal(Date.parse(expiresAt) - Date.parse(issuedAt), 4000);
    assert.equal(issued.json.counts.pending, 6);

    await Promise.all(early.map((k) => k.connect()));
    assert.ok(Date.now() < Date.parse(expiresAt), 'the early kiosks connected inside the window');

    // Past the window and the sweep that follows it (every second).
    await sleep(Math.max(0, Date.parse(expiresAt) - Date.now()) + 1500);
    await Promise.all(late.map((k) => k.connect()));
    await sleep(1000); // time for a wrong delivery to arrive
    assert.deepEqual(late.flatMap((k) => k.received), [], 'no command after its window');
    assert.equal(received(fleet, id).length, 9);

    const final = await waitForCommand(dataDir, id, (c) => c.finished, 10000, 'finished');
    assert.equal(final.counts.done, 9);
    assert.equal(final.counts.timed_out, 3);
    const table = await cli(['commands'], { dataDir });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^${id}\\s+reload\\s+\\S+ \\S+\\s+command line.*\\s12\\s+9\\s+0\\s+0\\s+0\\s+0\\s+3$`, 'm'));
    assertNoDuplicates(fleet);
  });

  test('without a running instance: reset-all exits 3 with a clear error', async () => {
    const empty = await makeDataDir();
    const run = await cli(['reset-all'], { dataDir: empty });
    assert.equal(run.code, 3);
    assert.match(run.stderr, /no running KioskGate instance: start the console or `kioskgate --headless` first/);
    const list = await cli(['commands'], { dataDir: empty });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /No commands yet/);
  });
});
