// Native clients (Node `ws`): the Authorization header transport, the
// subprotocol transport with an Origin, and refusals before the upgrade.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  closeClient,
  connect,
  issueToken,
  makeDataDir,
  rawHeaderValues,
  removeDataDirs,
  startPageServer,
  startServer,
  tamper,
  withTimeout,
} from './harness.mjs';

describe('native ws clients', { timeout: 60000 }, () => {
  let dataDir;
  let server;
  let allowedPage;
  let disallowedPage;
  let token;

  before(async () => {
    // Two page servers only to get two real, distinct origins.
    allowedPage = await startPageServer('<!doctype html><title>allowed</title>');
    disallowedPage = await startPageServer('<!doctype html><title>disallowed</title>');
    dataDir = await makeDataDir();
    server = await startServer({ dataDir, allowOrigins: [allowedPage.origin] });
    token = await issueToken(dataDir, 'lobby-1');
  });

  after(async () => {
    const status = server ? await server.stop() : null;
    await allowedPage?.close();
    await disallowedPage?.close();
    await removeDataDirs();
    if (status) assert.deepEqual(status, { code: 0, signal: null }, 'server stops cleanly on SIGTERM');
  });

  test('Authorization header without Origin: welcome, no subprotocol', async () => {
    const result = await connect(server.url, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(result.kind, 'welcome', JSON.stringify(result));
    try {
      assert.equal(result.welcome.type, 'welcome');
      assert.equal(result.welcome.kiosk, 'lobby-1');
      assert.equal(typeof result.welcome.session, 'string');
      assert.ok(result.welcome.session.length > 0, 'session id is not empty');
      assert.ok(Number.isInteger(result.welcome.heartbeatMs) && result.welcome.heartbeatMs > 0);
      assert.equal(result.protocol, '');
      assert.deepEqual(rawHeaderValues(result.upgradeHeaders, 'sec-websocket-protocol'), []);
    } finally {
      await closeClient(result.ws);
    }
  });

  test('subprotocol pair from an allowed origin: exactly one "kioskgate.v1", token not echoed', async () => {
    const result = await connect(server.url, {
      protocols: ['kioskgate.v1', `kioskgate.bearer.${token}`],
      origin: allowedPage.origin,
    });
    assert.equal(result.kind, 'welcome', JSON.stringify(result));
    try {
      assert.equal(result.welcome.kiosk, 'lobby-1');
      assert.equal(result.protocol, 'kioskgate.v1');
      const raw = result.upgradeHeaders;
      assert.ok(Array.isArray(raw) && raw.length > 0, 'the 101 response headers were captured');
      assert.deepEqual(rawHeaderValues(raw, 'sec-websocket-protocol'), ['kioskgate.v1']);
      const [, , signature] = token.split('.');
      for (let i = 0; i < raw.length; ++i) {
        assert.ok(!raw[i].includes(token), `response header ${i} holds the token`);
        assert.ok(!raw[i].includes(signature), `response header ${i} holds the token signature`);
        assert.ok(!raw[i].includes('kioskgate.bearer'), `response header ${i} echoes the bearer subprotocol`);
      }
    } finally {
      await closeClient(result.ws);
    }
  });

  test('subprotocol pair from a disallowed origin: 403 origin_not_allowed', async () => {
    const result = await connect(server.url, {
      protocols: ['kioskgate.v1', `kioskgate.bearer.${token}`],
      origin: disallowedPage.origin,
    });
    assert.equal(result.kind, 'refused', JSON.stringify(result));
    assert.equal(result.status, 403);
    assert.deepEqual(result.json, { error: 'origin_not_allowed' });
    assert.ok(!result.body.includes(token.split('.')[2]), 'body does not echo the token');
    await server.waitForOutput(
      new RegExp(`refused 403 origin_not_allowed from 127\\.0\\.0\\.1 origin=${disallowedPage.origin.replace(/\./g, '\\.')}`),
      3000,
    );
  });

  test('tampered token in the Authorization header: 401 invalid_token', async () => {
    const bad = tamper(token);
    assert.notEqual(bad, token);
    const result = await connect(server.url, { headers: { Authorization: `Bearer ${bad}` } });
    assert.equal(result.kind, 'refused', JSON.stringify(result));
    assert.equal(result.status, 401);
    assert.deepEqual(rawHeaderValues(result.rawHeaders, 'www-authenticate'), ['Bearer error="invalid_token"']);
    assert.equal(result.json?.error, 'invalid_token', result.body);
    assert.ok(!result.body.includes(bad.split('.')[2]), 'body does not echo the token');
  });

  test('tampered token as subprotocol from an allowed origin: 401 invalid_token', async () => {
    const result = await connect(server.url, {
      protocols: ['kioskgate.v1', `kioskgate.bearer.${tamper(token)}`],
      origin: allowedPage.origin,
    });
    assert.equal(result.kind, 'refused', JSON.stringify(result));
    assert.equal(result.status, 401);
    assert.deepEqual(rawHeaderValues(result.rawHeaders, 'www-authenticate'), ['Bearer error="invalid_token"']);
    assert.equal(result.json?.error, 'invalid_token', result.body);
  });

  test('garbage instead of a JWT: 401 invalid_token', async () => {
    const result = await connect(server.url, { headers: { Authorization: 'Bearer not-a-jwt' } });
    assert.equal(result.kind, 'refused', JSON.stringify(result));
    assert.equal(result.status, 401);
    assert.deepEqual(rawHeaderValues(result.rawHeaders, 'www-authenticate'), ['Bearer error="invalid_token"']);
  });

  // QWebSocket writes a pong or a text frame as two writes (header, then
  // payload). With Nagle's algorithm on, the payload waits for the kiosk's
  // ACK of the header, and the kiosk delays that ACK (40 ms on Linux, up to
  // 200 ms on Windows). So each is timed as the first reply on a fresh
  // connection, three times: with the stall every one takes 40 ms or more.
  test('replies leave at once: the first pong and the first error reply wait for no delayed ACK', async () => {
    const firstReplyMs = async (provoke, isReply) => {
      const result = await connect(server.url, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(result.kind, 'welcome', JSON.stringify(result));
      try {
        return await withTimeout(
          new Promise((resolve) => {
            const started = performance.now();
            const done = () => resolve(performance.now() - started);
            result.ws.on('pong', () => isReply('pong') && done());
            result.ws.on('message', (data) => isReply(JSON.parse(data.toString('utf8'))) && done());
            provoke(result.ws);
          }),
          5000,
          'first reply',
        );
      } finally {
        await closeClient(result.ws);
      }
    };
    const pongs = [];
    const errors = [];
    for (let i = 0; i < 3; ++i) {
      pongs.push(await firstReplyMs((ws) => ws.ping('kioskgate'), (reply) => reply === 'pong'));
      errors.push(await firstReplyMs((ws) => ws.send('not json'), (reply) => reply?.type === 'error'));
    }
    const shown = (values) => values.map((ms) => ms.toFixed(1)).join(', ');
    assert.ok(Math.min(...pongs) < 25, `first pong after ${shown(pongs)} ms`);
    assert.ok(Math.min(...errors) < 25, `first error reply after ${shown(errors)} ms`);
  });
});
