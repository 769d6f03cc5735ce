// One-time tickets, whoami, CORS and the served client script against the
// real kioskgate executable: Node's fetch and `ws` for the protocol, then
// Chromium (playwright-core) for what a browser really enforces: a page on
// an allowed origin fetches a ticket with its token in the Authorization
// header and connects with ?ticket=; a page on another origin is stopped by
// CORS. Finally the server's own output is scanned for every ticket value.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  closeClient,
  connect,
  issueToken,
  makeDataDir,
  removeDataDirs,
  startPageServer,
  startServer,
  withTimeout,
} from './harness.mjs';
import { launchChromium } from './chromium.mjs';

const TICKET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

describe('one-time tickets, whoami and CORS', { timeout: 120000 }, () => {
  let dataDir;
  let server;
  let allowedPage;
  let disallowedPage;
  let browser;
  let token;
  const tickets = []; // every ticket value seen, for the log scan

  before(async () => {
    allowedPage = await startPageServer('<!doctype html><title>allowed kiosk</title><h1>allowed</h1>');
    disallowedPage = await startPageServer('<!doctype html><title>foreign page</title><h1>foreign</h1>');
    dataDir = await makeDataDir({ limits: { failure_burst: 1000 } });
    server = await startServer({ dataDir, allowOrigins: [allowedPage.origin] });
    token = await issueToken(dataDir, 'ticket-kiosk');
  });

  after(async () => {
    if (browser) await withTimeout(browser.close(), 15000, 'Chromium to close');
    const status = server ? await server.stop() : null;
    await allowedPage?.close();
    await disallowedPage?.close();
    await removeDataDirs();
    if (status) assert.deepEqual(status, { code: 0, signal: null }, 'server stops cleanly on SIGTERM');
  });

  async function postTicket(origin, bearer = token) {
    const headers = { Authorization: `Bearer ${bearer}` };
    if (origin) headers.Origin = origin;
    const response = await withTimeout(
      fetch(`${server.httpBase}/v1/tickets`, { method: 'POST', headers }),
      5000,
      'POST /v1/tickets',
    );
    const body = await response.json();
    if (typeof body.ticket === 'string') tickets.push(body.ticket);
    return { response, body };
  }

  test('fetch a ticket, connect with ?ticket=, reuse is 401 invalid_ticket', async () => {
    const { response, body } = await postTicket(allowedPage.origin);
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(response.headers.get('access-control-allow-origin'), allowedPage.origin);
    assert.equal(response.headers.get('vary'), 'Origin');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
    assert.deepEqual(Object.keys(body).sort(), ['expiresIn', 'ticket']);
    assert.equal(body.expiresIn, 30);
    assert.match(body.ticket, TICKET_SHAPE);

    const url = `${server.url}?ticket=${encodeURIComponent(body.ticket)}`;
    const first = await connect(url, { origin: allowedPage.origin });
    assert.equal(first.kind, 'welcome', JSON.stringify(first));
    try {
      assert.equal(first.welcome.kiosk, 'ticket-kiosk');
      await server.waitForOutput(/kiosk ticket-kiosk connected from 127\.0\.0\.1 session \S+ jti \S+ transport ticket/, 3000);
    } finally {
      await closeClient(first.ws);
    }

    const reuse = await connect(url, { origin: allowedPage.origin });
    assert.equal(reuse.kind, 'refused', JSON.stringify(reuse));
    assert.equal(reuse.status, 401);
    assert.deepEqual(reuse.json, { error: 'invalid_token', reason: 'invalid_ticket' });
    assert.ok(!reuse.body.includes(body.ticket));
  });

  test('a ticket from one origin does not open a socket for another', async () => {
    const { body } = await postTicket(allowedPage.origin);
    const url = `${server.url}?ticket=${body.ticket}`;
    const foreign = await connect(url, { origin: disallowedPage.origin });
    assert.equal(foreign.kind, 'refused');
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json.error, 'origin_not_allowed');
    const native = await connect(url, {});
    assert.equal(native.kind, 'refused');
    assert.equal(native.status, 403);
    assert.equal(native.json.error, 'origin_required');
  });

  test('preflight: 204 with CORS headers for the allowed origin, 403 without any for another', async () => {
    const ask = (origin) =>
      fetch(`${server.httpBase}/v1/tickets`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
      });
    const allowed = await ask(allowedPage.origin);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), allowedPage.origin);
    assert.equal(allowed.headers.get('access-control-allow-methods'), 'POST');
    assert.match(allowed.headers.get('access-control-allow-headers'), /\bauthorization\b/);
    assert.equal(allowed.headers.get('access-control-max-age'), '600');
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null);

    const denied = await ask(disallowedPage.origin);
    assert.equal(denied.status, 403);
    assert.deepEqual(await denied.json(), { error: 'origin_not_allowed' });
    for (const [name] of denied.headers) assert.ok(!name.startsWith('access-control-'), `${name} on a refused preflight`);
  });

  test('whoami: who the token is, or why it is refused', async () => {
    const ok = await fetch(`${server.httpBase}/v1/whoami`, {
      headers: { Authorization: `Bearer ${token}`, Origin: allowedPage.origin },
    });
    assert.equal(ok.status, 200);
    const me = await ok.json();
    assert.equal(me.kiosk, 'ticket-kiosk');
    assert.equal(typeof me.jti, 'string');
    assert.equal(me.expiresAt, null);
    assert.equal(me.origin, allowedPage.origin);

    const foreign = await fetch(`${server.httpBase}/v1/whoami`, {
      headers: { Authorization: `Bearer ${token}`, Origin: disallowedPage.origin },
    });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    const bad = await fetch(`${server.httpBase}/v1/whoami`, {
      headers: { Authorization: 'Bearer not.a.token', Origin: allowedPage.origin },
    });
    assert.equal(bad.status, 401);
    assert.equal((await bad.json()).error, 'invalid_token');
    assert.equal(bad.headers.get('access-control-allow-origin'), allowedPage.origin);
  });

  test('/kioskgate.js: JavaScript, nosniff, ETag and 304', async () => {
    const js = await fetch(`${server.httpBase}/kioskgate.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(js.headers.get('cache-control'), 'no-cache');
    assert.equal(js.headers.get('access-control-allow-origin'), '*');
    const etag = js.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]+"$/);
    assert.ok((await js.text()).length > 0);
    const again = await fetch(`${server.httpBase}/kioskgate.js`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
  });

  test('Chromium: an allowed page fetches a ticket and connects; a foreign page is blocked by CORS', async () => {
    browser = await launchChromium();
    const flow = async ([base, wsUrl, bearer]) => {
      const result = { ticketStatus: null, fetchError: null, welcome: null, closeCode: null, moduleLoaded: null };
      try {
        const module = await import(`${base}/kioskgate.js`);
        result.moduleLoaded = typeof module === 'object';
      } catch (error) {
        result.moduleLoaded = String(error);
      }
      let ticket;
      try {
        const response = await fetch(`${base}/v1/tickets`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}` } });
        result.ticketStatus = response.status;
        ticket = (await response.json()).ticket;
        result.ticket = ticket;
      } catch (error) {
        result.fetchError = `${error.name}: ${error.message}`;
        return result;
      }
      await new Promise((resolve) => {
        const ws = new WebSocket(`${wsUrl}?ticket=${encodeURIComponent(ticket)}`);
        const timer = setTimeout(resolve, 8000);
        ws.onmessage = (event) => {
          result.welcome = JSON.parse(event.data);
          ws.close(1000);
        };
        ws.onclose = (event) => {
          result.closeCode = event.code;
          clearTimeout(timer);
          resolve();
        };
      });
      return result;
    };

    const allowedContext = await browser.newContext();
    try {
      const page = await allowedContext.newPage();
      await page.goto(allowedPage.url);
      const result = await page.evaluate(flow, [server.httpBase, server.url, token]);
      if (result.ticket) tickets.push(result.ticket);
      assert.equal(result.fetchError, null, JSON.stringify(result));
      assert.equal(result.ticketStatus, 200);
      assert.equal(result.moduleLoaded, true, 'kioskgate.js imports as a cross-origin module');
      assert.equal(result.welcome?.type, 'welcome', JSON.stringify(result));
      assert.equal(result.welcome.kiosk, 'ticket-kiosk');
      assert.equal(result.closeCode, 1000);
    } finally {
      await allowedContext.close();
    }

    const foreignContext = await browser.newContext();
    try {
      const page = await foreignContext.newPage();
      const messages = [];
      page.on('console', (message) => messages.push(message.text()));
      await page.goto(disallowedPage.url);
      const result = await page.evaluate(flow, [server.httpBase, server.url, token]);
      assert.equal(result.ticketStatus, null, JSON.stringify(result));
      assert.match(result.fetchError, /^TypeError: /, 'fetch rejects: the browser blocked the response');
      assert.equal(result.welcome, null);
      assert.ok(messages.some((m) => /CORS/.test(m)), `Chromium reports a CORS block:\n${messages.join('\n')}`);
      await server.waitForOutput(
        new RegExp(`refused 403 origin_not_allowed OPTIONS /v1/tickets from 127\\.0\\.0\\.1 origin=${disallowedPage.origin.replace(/\./g, '\\.')}`),
        3000,
      );
    } finally {
      await foreignContext.close();
    }
  });

  test('the server output never holds a ticket or the token', async () => {
    const status = await server.stop();
    assert.deepEqual(status, { code: 0, signal: null });
    const log = server.output();
    assert.match(log, /ticket issued for kiosk ticket-kiosk/, 'the scan saw ticket activity');
    assert.match(log, /ticket refused: unknown_or_used/);
    assert.ok(tickets.length >= 3, `tickets seen: ${tickets.length}`);
    const leaks = tickets.filter((ticket) => log.includes(ticket));
    assert.deepEqual(leaks, []);
    const [, payload, signature] = token.split('.');
    assert.ok(!log.includes(signature) && !log.includes(payload), 'token in server output');
  });
});
