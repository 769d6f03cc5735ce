// TLS end to end: the console's own certificate pinned by SPKI in Chromium
// (a kiosk page served over https from another loopback port connects
// wss:// with the subprotocol), Node `ws` trusting the console's
// certificate as its CA, and a plain HTTP request to the TLS port.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  cliOk,
  closeClient,
  connect,
  issueToken,
  makeDataDir,
  removeDataDirs,
  startPageServer,
  startServer,
  withTimeout,
} from './harness.mjs';
import { kioskPageHtml } from './kiosk-page.mjs';
import { makeSelfSignedCertificate as makePageCertificate, spkiOf } from './tls-helpers.mjs';
import { launchChromium } from './chromium.mjs';


describe('TLS: pinning in Chromium, CA in Node, plain HTTP on the TLS port', { timeout: 120000 }, () => {
  let dataDir;
  let server;
  let page;
  let pageSpki;
  let facts;
  let consoleCert;
  let token;
  const browsers = [];

  before(async () => {
    dataDir = await makeDataDir();
    const pageTls = await makePageCertificate(dataDir);
    pageSpki = spkiOf(pageTls.cert);
    page = await startPageServer(kioskPageHtml, { tls: pageTls });
    server = await startServer({ dataDir, allowOrigins: [page.origin], tls: true });
    facts = JSON.parse((await cliOk(['tls', 'show', '--json'], { dataDir })).stdout);
    consoleCert = await readFile(facts.certificatePath);
    token = await issueToken(dataDir, 'pinned-1');
  });

  after(async () => {
    for (const browser of browsers) await withTimeout(browser.close(), 15000, 'Chromium to close');
    const status = server ? await server.stop() : null;
    await page?.close();
    await removeDataDirs();
    if (status) assert.deepEqual(status, { code: 0, signal: null }, 'server stops cleanly on SIGTERM');
  });

  async function launch(spkiList) {
    const browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spkiList.join(',')}`]);
    browsers.push(browser);
    return browser;
  }

  test('tls show names the served certificate and the kiosk command line', () => {
    assert.equal(facts.tls, true);
    assert.equal(facts.url, server.url);
    assert.match(server.url, /^wss:\/\//);
    assert.equal(facts.spkiSha256, spkiOf(consoleCert));
    assert.ok(facts.subjectAltNames.includes('IP:127.0.0.1'));
    assert.ok(facts.subjectAltNames.includes('DNS:localhost'));
    assert.ok(
      facts.chromiumCommandLine.includes(`--ignore-certificate-errors-spki-list=${facts.spkiSha256} ${page.origin}/`),
      facts.chromiumCommandLine,
    );
  });

  test('Chromium with the SPKI pins: https kiosk page connects wss:// with the subprotocol', async () => {
    const browser = await launch([facts.spkiSha256, pageSpki]);
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      const response = await tab.goto(page.url);
      assert.equal(response.status(), 200);
      const result = await tab.evaluate(([url, t]) => window.connectKiosk(url, t, 8000), [server.url, token]);
      assert.equal(result.origin, page.origin);
      assert.deepEqual(result.welcome?.kiosk, 'pinned-1', JSON.stringify(result));
      assert.equal(result.protocol, 'kioskgate.v1');
    } finally {
      await context.close();
    }
  });

  test('Chromium without the console pin: the page loads but wss:// fails', async () => {
    const browser = await launch([pageSpki]);
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      assert.equal((await tab.goto(page.url)).status(), 200);
      const result = await tab.evaluate(([url, t]) => window.connectKiosk(url, t, 8000), [server.url, token]);
      assert.equal(result.welcome, null, JSON.stringify(result));
      assert.equal(result.error, true);
      assert.equal(result.closeCode, 1006);
    } finally {
      await context.close();
    }
  });

  test('Node ws with ca = the console certificate connects with the header', async () => {
    const result = await connect(server.url, { headers: { Authorization: `Bearer ${token}` }, ca: consoleCert });
    assert.equal(result.kind, 'welcome', JSON.stringify(result.error?.message ?? result));
    assert.equal(result.welcome.kiosk, 'pinned-1');
    await closeClient(result.ws);
  });

  test('Node ws with another CA is refused', async () => {
    const result = await connect(server.url, {
      headers: { Authorization: `Bearer ${token}` },
      ca: await readFile(path.join(dataDir, 'page.pem')),
    });
    assert.equal(result.kind, 'error');
    assert.match(result.error.code, /SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/, result.error.message);
  });

  test('plain http:// to the TLS port gets 400 tls_required', async () => {
    const { status, body } = await withTimeout(
      new Promise((resolve, reject) => {
        const request = httpGet(`http://127.0.0.1:${server.port}/healthz`, (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode, body: text }));
        });
        request.on('error', reject);
      }),
      5000,
      'plain http answer',
    );
    assert.equal(status, 400);
    assert.deepEqual(JSON.parse(body), {
      error: 'tls_required',
      reason: 'this port speaks TLS only: use https:// or wss://',
    });
  });
});
