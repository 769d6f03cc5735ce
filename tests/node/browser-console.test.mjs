// The real browser client against the real console, in Debian's Chromium:
// the example kiosk page (examples/browser-kiosk) imports kioskgate.js from
// the running `kioskgate --headless` (GET /kioskgate.js), connects with the
// subprotocol and with one-time tickets, and `kioskgate reset-all` /
// `kioskgate reload KIOSK` (the CLI, through the running instance) make the
// page really reload, reconnect and report `done`, which the CLI's JSON and
// `kioskgate commands --json` show. Also: a revoked token stops the page with
// the reason from /v1/whoami; a page on a disallowed origin keeps retrying as
// "unreachable" (CORS hides whoami's answer); the ticket transport never puts
// the token in a URL. A second suite does the reset over TLS (wss://, the
// console's certificate and the https page's pinned by SPKI in Chromium).
// CTest `node_browser_console` (keyring).

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { startKioskPageServer } from '../../examples/browser-kiosk/serve.mjs';
import {
  cli,
  cliJson,
  issueToken,
  makeDataDir,
  OUTPUT_DIR,
  removeDataDirs,
  sleep,
  startServer,
  withTimeout,
} from './harness.mjs';
import { makeSelfSignedCertificate, spkiOf } from './tls-helpers.mjs';
import { launchChromium } from './chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLIENT_SOURCE = path.resolve(here, '../../resources/client/kioskgate.js');

/** cliJson() from the harness for this file's data directory. */
const cliJsonIn = (args, dataDir, timeoutMs = 30000) => cliJson(args, { dataDir, timeoutMs });

/**
 * Opens the example page in a fresh context and records everything a leak
 * check needs: every HTTP request URL, every WebSocket URL, console lines.
 */
async function openKiosk(browser, url) {
  const context = await browser.newContext({ viewport: { width: 900, height: 560 } });
  const tab = await context.newPage();
  tab.setDefaultTimeout(10000);
  const seen = { requests: [], sockets: [], console: [] };
  tab.on('request', (r) => seen.requests.push(r.url()));
  tab.on('websocket', (ws) => seen.sockets.push(ws.url()));
  tab.on('console', (m) => seen.console.push(`${m.type()}: ${m.text()}`));
  tab.on('pageerror', (e) => seen.console.push(`pageerror: ${e.message}`));
  await tab.goto(url);
  return { context, tab, seen };
}

/** Facts that tell one loaded document from the next. */
const documentFacts = (tab) =>
  tab.evaluate(() => ({
    marker: window.__kgMarker ?? null,
    navigationType: performance.getEntriesByType('navigation')[0]?.type ?? null,
    timeOrigin: performance.timeOrigin,
    local: { ...localStorage },
    session: { ...sessionStorage },
    state: window.kiosk?.state ?? null,
  }));

/** Marks the current document (a reload loses the mark) and some app state. */
async function markDocument(tab) {
  await tab.click('#tap');
  await tab.click('#tap');
  await tab.evaluate(() => {
    window.__kgMarker = 'before-command';
    sessionStorage.setItem('app.visit', 'before-command');
  });
}

/** Waits until the page's client is open again (after a reload) and its pending done went out. */
async function waitReopened(tab, previousTimeOrigin, ms = 15000) {
  await tab.waitForFunction(
    (t) => performance.timeOrigin !== t && window.kiosk?.state === 'open' && !sessionStorage.getItem('kioskgate.pending'),
    previousTimeOrigin,
    { timeout: ms },
  );
}

function assertNoSecretIn(texts, token, where) {
  const [, payload, signature] = token.split('.');
  for (const text of texts) {
    assert.ok(!text.includes(signature) && !text.includes(payload) && !text.includes(encodeURIComponent(token)),
      `the token appears in ${where}: ${text.slice(0, 200)}`);
  }
}

describe('example kiosk page with the served client against the real console', { timeout: 180000 }, () => {
  let dataDir;
  let server;
  let page; // the allowed origin (examples/browser-kiosk/serve.mjs)
  let foreignPage; // a second origin that is not on the allowlist
  let browser;
  const tokens = [];
  const figures = {};

  before(async () => {
    // A foreign page's refusals spend the loopback address's failure budget;
    // a large one keeps the other tests from meeting 429.
    dataDir = await makeDataDir({ limits: { failure_burst: 1000 } });
    page = await startKioskPageServer({ port: 0, config: { url: 'ws://placeholder/v1/kiosk' } });
    foreignPage = await startKioskPageServer({ port: 0, config: { url: 'ws://placeholder/v1/kiosk' } });
    server = await startServer({ dataDir, allowOrigins: [page.origin] });
    page.config.url = server.url;
    foreignPage.config.url = server.url;
    browser = await launchChromium();
    await mkdir(OUTPUT_DIR, { recursive: true });
  });

  after(async () => {
    if (Object.keys(figures).length) console.log(`figures: ${JSON.stringify(figures)}`);
    if (browser) await withTimeout(browser.close(), 15000, 'Chromium to close');
    const status = server ? await server.stop() : null;
    await page?.close();
    await foreignPage?.close();
    await removeDataDirs();
    if (status) assert.deepEqual(status, { code: 0, signal: null }, 'server stops cleanly on SIGTERM');
  });

  test('the console serves exactly the repository client at /kioskgate.js', async () => {
    const served = await (await fetch(`${server.httpBase}/kioskgate.js`)).text();
    assert.equal(served, await readFile(CLIENT_SOURCE, 'utf8'));
  });

  for (const transport of ['subprotocol', 'ticket']) {
    test(`${transport}: reset-all → page acks, really reloads, reconnects, sends done; the CLI shows it done`, async () => {
      const kiosk = `lobby-${transport}`;
      const token = await issueToken(dataDir, kiosk, { origins: [page.origin] });
      tokens.push(token);
      page.config.transport = transport;
      page.config.token = token;
      const loadsBefore = page.pageLoads();
      const { context, tab, seen } = await openKiosk(browser, page.url);
      try {
        await tab.locator('#state.open').waitFor().catch((e) => {
          throw new Error(`${e.message}\n${seen.console.join('\n')}\n${server.output().slice(-2000)}`);
        });
        assert.match(await tab.textContent('#who'), new RegExp(`^${kiosk} · session `));
        await markDocument(tab);
        const beforeReset = await documentFacts(tab);
        assert.equal(beforeReset.local['app.taps'], '2');
        assert.equal(beforeReset.navigationType, 'navigate');

        const run = await cliJsonIn(['reset-all', '--json', '--wait', '20'], dataDir);
        assert.equal(run.code, 0, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
        const command = run.json;
        assert.equal(command.name, 'reset');
        assert.equal(command.allKiosks, true);
        const target = command.targets.find((t) => t.kiosk === kiosk);
        assert.equal(target?.state, 'done', JSON.stringify(command.targets));
        assert.equal(command.outcome.confirmed, true);
        assert.ok(!command.outcome.unconfirmed.includes(kiosk));
        figures[`${transport}ResetAllCliMs`] = Math.round(run.ms);
        figures[`${transport}IssuedToDoneMs`] = Date.parse(target.changedAt) - Date.parse(command.issuedAt);

        // The page really loaded again: a new document from the page server,
        // the marker gone, app storage cleared, the client's own keys kept.
        await waitReopened(tab, beforeReset.timeOrigin);
        const afterReset = await documentFacts(tab);
        assert.equal(page.pageLoads(), loadsBefore + 2, 'the page server served the page a second time');
        assert.equal(afterReset.marker, null, 'a new document');
        assert.equal(afterReset.navigationType, 'navigate', 'reset navigates to the start URL');
        assert.equal(afterReset.local['app.taps'], undefined, 'localStorage cleared by the reset');
        assert.equal(afterReset.session['app.visit'], undefined, 'sessionStorage cleared by the reset');
        assert.deepEqual(JSON.parse(afterReset.session['kioskgate.handled']), [command.id]);
        assert.equal(await tab.textContent('#taps'), '0');

        // The stored record agrees.
        const list = await cliJsonIn(['commands', '--json'], dataDir);
        const stored = list.json.commands.find((c) => c.id === command.id);
        assert.equal(stored.counts.done, command.counts.done);
        assert.ok(stored.counts.done >= 1);

        // Two sockets for this page, each with the transport's shape.
        assert.equal(seen.sockets.length, 2, seen.sockets.join('\n'));
        for (const url of seen.sockets) {
          if (transport === 'ticket') assert.match(url, /\/v1\/kiosk\?ticket=[\w%-]+$/);
          else assert.equal(url, server.url);
        }
        if (transport === 'ticket') {
          assert.equal(seen.requests.filter((u) => u === `${server.httpBase}/v1/tickets`).length, 2, 'a ticket per connection');
          assert.notEqual(seen.sockets[0], seen.sockets[1], 'a fresh ticket per connection');
          for (const url of seen.sockets) {
            const ticket = new URL(url).searchParams.get('ticket');
            assert.ok(ticket.length >= 16 && !server.output().includes(ticket), 'no ticket in the console output');
          }
        }
        // The token is in no URL Chromium requested and not in the console's output.
        assertNoSecretIn([...seen.requests, ...seen.sockets], token, 'a URL Chromium requested');
        assertNoSecretIn([server.output()], token, 'the console output');
        await tab.screenshot({ path: path.join(OUTPUT_DIR, `console-${transport}-after-reset.png`) });
      } finally {
        await context.close();
      }
      await cli(['token', 'revoke', kiosk], { dataDir }); // later reset-alls do not wait for it
    });
  }

  test('reload KIOSK: only that page reloads, keeps its app state, reports done', async () => {
    const kiosk = 'lobby-reload';
    const token = await issueToken(dataDir, kiosk, { origins: [page.origin] });
    tokens.push(token);
    page.config.transport = 'subprotocol';
    page.config.token = token;
    const loadsBefore = page.pageLoads();
    const { context, tab, seen } = await openKiosk(browser, page.url);
    try {
      await tab.locator('#state.open').waitFor();
      await markDocument(tab);
      const before = await documentFacts(tab);
      const run = await cliJsonIn(['reload', kiosk, '--json', '--wait', '20'], dataDir);
      assert.equal(run.code, 0, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
      assert.equal(run.json.name, 'reload');
      assert.equal(run.json.allKiosks, false);
      assert.deepEqual(run.json.targets.map((t) => [t.kiosk, t.state]), [[kiosk, 'done']]);
      figures.reloadCliMs = Math.round(run.ms);

      await waitReopened(tab, before.timeOrigin);
      const after = await documentFacts(tab);
      assert.equal(page.pageLoads(), loadsBefore + 2);
      assert.equal(after.marker, null, 'a new document');
      assert.equal(after.navigationType, 'reload', 'location.reload()');
      assert.equal(after.local['app.taps'], '2', 'a reload keeps localStorage');
      assert.equal(after.session['app.visit'], 'before-command', 'and sessionStorage');
      assert.equal(seen.sockets.length, 2);
    } finally {
      await context.close();
    }
  });

  test('revoked token: the page gets 4403, stops, and says why (whoami 401 revoked)', async () => {
    const kiosk = 'lobby-reload'; // still active from the previous test
    const token = tokens.at(-1);
    page.config.transport = 'subprotocol';
    page.config.token = token;
    const { context, tab, seen } = await openKiosk(browser, page.url);
    try {
      await tab.locator('#state.open').waitFor();
      await tab.evaluate(() => {
        window.__kg = { stopped: null, closed: [], reconnecting: 0 };
        window.kiosk.addEventListener('stopped', (e) => (window.__kg.stopped = e.detail));
        window.kiosk.addEventListener('closed', (e) => window.__kg.closed.push(e.detail.code));
        window.kiosk.addEventListener('reconnecting', () => (window.__kg.reconnecting += 1));
      });
      const started = Date.now();
      const revoke = await cliJsonIn(['token', 'revoke', kiosk, '--json'], dataDir);
      assert.equal(revoke.code, 0, revoke.stderr);
      await tab.locator('#state.stopped').waitFor();
      figures.revokeToStoppedMs = Date.now() - started;
      const kg = await tab.evaluate(() => window.__kg);
      assert.deepEqual(kg.closed, [4403]);
      assert.deepEqual(kg.stopped, {
        code: 4403,
        reason: 'revoked',
        httpStatus: 401,
        error: 'revoked_token',
        message: 'the token was revoked',
      });
      assert.equal(await tab.textContent('#state'), 'stopped: revoked');
      const socketsAtStop = seen.sockets.length;
      await sleep(2500); // longer than the first backoff ceiling (1 s)
      assert.equal(seen.sockets.length, socketsAtStop, 'no reconnect after 4403');
      assert.equal((await tab.evaluate(() => window.__kg)).reconnecting, 0);
      assert.ok(seen.requests.includes(`${server.httpBase}/v1/whoami`), 'the client asked whoami');
    } finally {
      await context.close();
    }
  });

  test('disallowed origin: handshake 403, whoami hidden by CORS → "reconnecting: unreachable", never stopped', async () => {
    const token = await issueToken(dataDir, 'lobby-foreign');
    tokens.push(token);
    foreignPage.config.transport = 'subprotocol';
    foreignPage.config.token = token;
    const { context, tab, seen } = await openKiosk(browser, foreignPage.url);
    try {
      // The module itself loads (the console serves it to any origin) ...
      await tab.waitForFunction(() => window.kiosk !== undefined);
      await tab.evaluate(() => {
        window.__kg = { reasons: [], stopped: null };
        window.kiosk.addEventListener('reconnecting', (e) => window.__kg.reasons.push(e.detail.reason));
        window.kiosk.addEventListener('stopped', (e) => (window.__kg.stopped = e.detail));
      });
      // ... but every attempt is refused and whoami cannot be read.
      await tab.waitForFunction(() => window.__kg.reasons.length >= 2, null, { timeout: 15000 });
      const kg = await tab.evaluate(() => window.__kg);
      assert.deepEqual([...new Set(kg.reasons)], ['unreachable']);
      assert.equal(kg.stopped, null);
      assert.notEqual(await tab.evaluate(() => window.kiosk.state), 'stopped');
      await server.waitForOutput(
        new RegExp(`refused 403 origin_not_allowed from 127\\.0\\.0\\.1 origin=${foreignPage.origin.replace(/\./g, '\\.')} transport=subprotocol`),
        3000,
      );
      // The preflight of whoami is refused too: the browser never sees its answer.
      assert.match(server.output(), new RegExp(`refused 403 origin_not_allowed OPTIONS /v1/whoami from 127\\.0\\.0\\.1 origin=${foreignPage.origin.replace(/\./g, '\\.')}`));
      assert.ok(seen.console.some((m) => /CORS/.test(m)), `Chromium reports the CORS block:\n${seen.console.join('\n')}`);
    } finally {
      await context.close();
    }
  });

  test('the console output never holds a token', async () => {
    assert.ok(tokens.length >= 3);
    for (const token of tokens) assertNoSecretIn([server.output()], token, 'the console output');
  });
});

describe('reset-all over TLS: https page, wss:// with the subprotocol, both pinned by SPKI', { timeout: 120000 }, () => {
  let dataDir;
  let server;
  let page;
  let browser;

  before(async () => {
    dataDir = await makeDataDir();
    const pageTls = await makeSelfSignedCertificate(dataDir);
    page = await startKioskPageServer({ port: 0, tls: pageTls, config: { url: 'wss://placeholder/v1/kiosk' } });
    server = await startServer({ dataDir, allowOrigins: [page.origin], tls: true });
    page.config.url = server.url;
    const facts = JSON.parse((await cli(['tls', 'show', '--json'], { dataDir })).stdout);
    assert.equal(facts.spkiSha256, spkiOf(await readFile(facts.certificatePath)));
    browser = await launchChromium([`--ignore-certificate-errors-spki-list=${facts.spkiSha256},${spkiOf(pageTls.cert)}`]);
  });

  after(async () => {
    if (browser) await withTimeout(browser.close(), 15000, 'Chromium to close');
    const status = server ? await server.stop() : null;
    await page?.close();
    await removeDataDirs();
    if (status) assert.deepEqual(status, { code: 0, signal: null });
  });

  test('wss + subprotocol: reset-all → reload → done', async () => {
    assert.match(server.url, /^wss:\/\//);
    assert.match(page.url, /^https:\/\//);
    const token = await issueToken(dataDir, 'secure-1', { origins: [page.origin] });
    page.config.transport = 'subprotocol';
    page.config.token = token;
    const loadsBefore = page.pageLoads();
    const { context, tab, seen } = await openKiosk(browser, page.url);
    try {
      await tab.locator('#state.open').waitFor().catch((e) => {
        throw new Error(`${e.message}\n${seen.console.join('\n')}`);
      });
      assert.ok(seen.requests.includes(`${server.httpBase}/kioskgate.js`), 'client loaded over https from the console');
      await markDocument(tab);
      const before = await documentFacts(tab);
      const run = await cliJsonIn(['reset-all', '--json', '--wait', '20'], dataDir);
      assert.equal(run.code, 0, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
      assert.deepEqual(run.json.targets.map((t) => [t.kiosk, t.state]), [['secure-1', 'done']]);
      console.log(`TLS reset-all settled in ${Math.round(run.ms)} ms (CLI run); issued→done ${
        Date.parse(run.json.targets[0].changedAt) - Date.parse(run.json.issuedAt)} ms`);
      await waitReopened(tab, before.timeOrigin);
      const after = await documentFacts(tab);
      assert.equal(page.pageLoads(), loadsBefore + 2);
      assert.equal(after.marker, null);
      assert.equal(after.local['app.taps'], undefined);
      assert.deepEqual(seen.sockets, [server.url, server.url]);
      assertNoSecretIn([...seen.requests, ...seen.sockets, server.output()], token, 'a URL or the console output');
    } finally {
      await context.close();
    }
  });
});
