// Debian Chromium driven by playwright-core: a kiosk page opens the
// WebSocket with the subprotocol transport, from an allowed and from a
// disallowed origin.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  OUTPUT_DIR,
  issueToken,
  makeDataDir,
  removeDataDirs,
  startPageServer,
  startServer,
  withTimeout,
} from './harness.mjs';
import { kioskPageHtml } from './kiosk-page.mjs';
import { launchChromium } from './chromium.mjs';


describe('Chromium kiosk page (subprotocol transport)', { timeout: 90000 }, () => {
  let dataDir;
  let server;
  let allowedPage;
  let disallowedPage;
  let browser;
  let token;

  before(async () => {
    allowedPage = await startPageServer(kioskPageHtml);
    disallowedPage = await startPageServer(kioskPageHtml);
    dataDir = await makeDataDir();
    server = await startServer({ dataDir, allowOrigins: [allowedPage.origin] });
    token = await issueToken(dataDir, 'museum-7');
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await withTimeout(browser.close(), 15000, 'Chromium to close');
    const status = server ? await server.stop() : null;
    await allowedPage?.close();
    await disallowedPage?.close();
    await removeDataDirs();
    if (status) assert.deepEqual(status, { code: 0, signal: null }, 'server stops cleanly on SIGTERM');
  });

  async function openKioskPage(pageServer) {
    const context = await browser.newContext({ viewport: { width: 900, height: 420 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    const console = [];
    page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
    const response = await page.goto(pageServer.url);
    assert.equal(response.status(), 200);
    return { context, page, console };
  }

  test('allowed origin: welcome and protocol "kioskgate.v1"', async () => {
    const { context, page } = await openKioskPage(allowedPage);
    try {
      const result = await page.evaluate(([url, t]) => window.connectKiosk(url, t, 8000), [server.url, token]);
      assert.equal(result.origin, allowedPage.origin);
      assert.deepEqual(result.events, ['open', 'message:welcome'], JSON.stringify(result));
      assert.equal(result.protocol, 'kioskgate.v1');
      assert.equal(result.welcome.type, 'welcome');
      assert.equal(result.welcome.kiosk, 'museum-7');
      assert.ok(typeof result.welcome.session === 'string' && result.welcome.session.length > 0);
      assert.equal(result.error, false);

      await page.getByText('connected as museum-7', { exact: true }).waitFor({ timeout: 5000 });
      await mkdir(OUTPUT_DIR, { recursive: true });
      const file = path.join(OUTPUT_DIR, 'chromium-allowed-origin.png');
      await page.screenshot({ path: file });
      console.log(`screenshot: ${file}`);

      // The server saw this browser session, with the subprotocol transport.
      await server.waitForOutput(
        new RegExp(
          `kiosk museum-7 connected from 127\\.0\\.0\\.1 session ${result.welcome.session} jti \\S+ transport subprotocol`,
        ),
        3000,
      );
      const closedCode = await page.evaluate(
        () =>
          new Promise((resolve) => {
            window.kioskSocket.onclose = (event) => resolve(event.code);
            window.kioskSocket.close(1000, 'test done');
          }),
      );
      assert.equal(closedCode, 1000);
    } finally {
      await context.close();
    }
  });

  test('disallowed origin: no welcome, close 1006, server logs refused 403 origin_not_allowed', async () => {
    const { context, page, console: messages } = await openKioskPage(disallowedPage);
    try {
      const result = await page.evaluate(([url, t]) => window.connectKiosk(url, t, 8000), [server.url, token]);
      assert.equal(result.origin, disallowedPage.origin);
      assert.equal(result.welcome, null);
      assert.equal(result.protocol, null, 'the socket never opened');
      assert.equal(result.error, true, 'onerror fired');
      assert.equal(result.closeCode, 1006);
      assert.deepEqual(result.events, ['error', 'close:1006']);
      await server.waitForOutput(
        new RegExp(`refused 403 origin_not_allowed from 127\\.0\\.0\\.1 origin=${disallowedPage.origin.replace(/\./g, '\\.')}`),
        3000,
      );
      // Chromium reports the status it got in the console (wording varies a
      // little between versions; the status code does not).
      assert.ok(
        messages.some((m) => m.includes('403')),
        `Chromium console mentions the 403:\n${messages.join('\n')}`,
      );
    } finally {
      await context.close();
    }
  });

  test('the server log never holds the token', () => {
    const [, payload, signature] = token.split('.');
    const log = server.output();
    assert.ok(!log.includes(token), 'token in server log');
    assert.ok(!log.includes(signature), 'token signature in server log');
    assert.ok(!log.includes(payload), 'token payload in server log');
  });
});
