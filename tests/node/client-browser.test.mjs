// The real browser client (resources/client/kioskgate.js) in Debian's
// Chromium, loaded by the example kiosk page (examples/browser-kiosk) from a
// mock console (mock-console.mjs) on another origin, with both transports:
// the console sends `reset`, the page acks before acting, really reloads
// (its app state is gone), reconnects and reports `done` after the welcome.
// Also: a refused handshake and a revoked token end in "stopped" with the
// reason learned from /v1/whoami. CTest `node_client_browser` (no keyring).

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startKioskPageServer } from '../../examples/browser-kiosk/serve.mjs';
import { OUTPUT_DIR, withTimeout } from './harness.mjs';
import { startMockConsole } from './mock-console.mjs';
import { launchChromium } from './chromium.mjs';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsb2JieS0xIn0.bW9jay1zaWduYXR1cmUtZm9yLXRlc3Rz';
const REVOKED = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsb2JieS0yIn0.cmV2b2tlZC1zaWduYXR1cmU';

describe('browser client in Chromium against a mock console', { timeout: 120000 }, () => {
  let browser;
  let page;
  let mock;
  // The mock console's refusals; tests add to it (shared by reference).
  const refused = { [REVOKED]: { status: 401, body: { error: 'revoked_token', reason: 'revoked' } } };

  before(async () => {
    page = await startKioskPageServer({ port: 0, config: { url: 'ws://placeholder/v1/kiosk', token: TOKEN } });
    mock = await startMockConsole({
      allowedOrigin: page.origin,
      tokens: { [TOKEN]: 'lobby-1' },
      refused,
    });
    page.config.url = mock.url;
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await withTimeout(browser.close(), 15000, 'Chromium to close');
    await mock?.close();
    await page?.close();
  });

  async function openKiosk() {
    const context = await browser.newContext({ viewport: { width: 900, height: 560 } });
    const tab = await context.newPage();
    tab.setDefaultTimeout(10000);
    const messages = [];
    tab.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    tab.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
    await tab.goto(page.url);
    return { context, tab, messages };
  }

  for (const transport of ['subprotocol', 'ticket']) {
    test(`${transport}: reset → ack before acting → real reload → welcome → done`, async () => {
      page.config.transport = transport;
      page.config.token = TOKEN;
      const loadsBefore = page.pageLoads();
      const first = mock.connections.length;
      const { context, tab, messages } = await openKiosk();
      try {
        const c1 = await mock.waitFor(
          () => { const c = mock.connections[first]; return c?.messages.some((m) => m.type === 'status') && c; },
          10000, 'first connection with status').catch((e) => { throw new Error(`${e.message}\n${messages.join('\n')}`); });
        assert.equal(c1.transport, transport);
        assert.equal(c1.origin, page.origin);
        assert.deepEqual(c1.messages[0], {
          type: 'status', clientVersion: 'browser-kiosk-example/1.0', pageUrl: page.origin + '/',
        });
        if (transport === 'subprotocol') {
          assert.deepEqual(c1.protocols, ['kioskgate.v1', 'kioskgate.bearer.' + TOKEN]);
          assert.equal(c1.url, '/v1/kiosk');
        } else {
          assert.deepEqual(c1.protocols, ['kioskgate.v1']);
          assert.match(c1.url, /^\/v1\/kiosk\?ticket=[\w-]{22}$/);
        }
        await tab.getByText('connected as lobby-1').waitFor();
        await tab.locator('#state.open').waitFor();

        // App state the reset must clear; the client's own keys stay.
        await tab.click('#tap');
        await tab.click('#tap');
        assert.equal(await tab.textContent('#taps'), '2');

        const id = `reset-${transport}-1`;
        const issuedAt = new Date().toISOString();
        c1.ws.send(JSON.stringify({
          type: 'command', id, name: 'reset', issuedAt,
          expiresAt: new Date(Date.now() + 300000).toISOString(),
        }));
        await mock.waitFor(() => c1.messages.some((m) => m.type === 'ack'), 5000, 'ack');
        assert.deepEqual(c1.messages.filter((m) => m.type === 'ack'), [{ type: 'ack', id, ok: true }]);
        await mock.waitFor(() => c1.closed !== null, 5000, 'old page to close its socket');

        const c2 = await mock.waitFor(
          () => mock.connections.slice(first + 1).find((c) => c.messages.some((m) => m.type === 'done')),
          10000, 'done on a new connection');
        assert.deepEqual(c2.messages.map((m) => m.type), ['status', 'done']);
        assert.deepEqual(c2.messages[1], { type: 'done', id });
        assert.equal(page.pageLoads(), loadsBefore + 2, 'the page really loaded again');
        await tab.locator('#state.open').waitFor();
        assert.equal(await tab.textContent('#taps'), '0', 'app state cleared by the reset');
        const storage = await tab.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage } }));
        assert.deepEqual(storage.local, {});
        assert.deepEqual(JSON.parse(storage.session['kioskgate.handled']), [id]);
        assert.equal(storage.session['kioskgate.pending'], undefined, 'pending cleared after done');

        // A redelivery of the same id: acked again, no second reload.
        c2.ws.send(JSON.stringify({ type: 'command', id, name: 'reset', issuedAt }));
        await mock.waitFor(() => c2.messages.some((m) => m.type === 'ack'), 5000, 'second ack');
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(page.pageLoads(), loadsBefore + 2, 'no reload for a duplicate');
        assert.equal(c2.closed, null);

        if (transport === 'ticket') {
          const ticketRequests = mock.requests.filter((r) => r.path === '/v1/tickets' && r.method === 'POST');
          assert.ok(ticketRequests.length >= 2, 'one ticket per connection');
          assert.ok(ticketRequests.every((r) => r.authorization === 'Bearer ' + TOKEN));
          assert.notEqual(c1.url, c2.url, 'a fresh ticket per attempt');
        }
        for (const r of mock.requests) assert.ok(!r.url.includes(TOKEN.split('.')[2]), `token in URL ${r.path}`);
        for (const c of mock.connections) assert.ok(!c.url.includes(TOKEN.split('.')[2]), 'token in a socket URL');

        await mkdir(OUTPUT_DIR, { recursive: true });
        await tab.screenshot({ path: path.join(OUTPUT_DIR, `client-${transport}-after-reset.png`) });
      } finally {
        await context.close();
      }
    });
  }

  test('revoked token: close 4403 → whoami 401 → stopped, no reconnect', async () => {
    page.config.transport = 'subprotocol';
    page.config.token = TOKEN;
    const first = mock.connections.length;
    const { context, tab } = await openKiosk();
    try {
      const c1 = await mock.waitFor(() => mock.connections[first], 10000, 'connection');
      await tab.locator('#state.open').waitFor();
      refused[TOKEN] = { status: 401, body: { error: 'revoked_token', reason: 'revoked' } };
      c1.ws.close(4403, 'token revoked');
      await tab.locator('#state.stopped').waitFor();
      assert.equal(await tab.textContent('#state'), 'stopped: revoked');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(mock.connections.length, first + 1, 'no reconnect');
    } finally {
      delete refused[TOKEN];
      await context.close();
    }
  });

  test('refused handshake (browser sees 1006): whoami says revoked_token, page stops', async () => {
    page.config.transport = 'subprotocol';
    page.config.token = REVOKED;
    const before = mock.connections.length;
    mock.requests.length = 0;
    const { context, tab } = await openKiosk();
    try {
      await tab.locator('#state.stopped').waitFor();
      assert.equal(await tab.textContent('#state'), 'stopped: revoked');
      assert.ok(mock.requests.some((r) => r.path === '/v1/whoami' && r.method === 'GET'));
      assert.equal(mock.connections.length, before, 'never upgraded');
      await mkdir(OUTPUT_DIR, { recursive: true });
      await tab.screenshot({ path: path.join(OUTPUT_DIR, 'client-stopped-revoked.png') });
    } finally {
      await context.close();
    }
  });
});
