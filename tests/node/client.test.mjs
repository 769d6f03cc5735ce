// Unit tests of the browser client resources/client/kioskgate.js with fake
// WebSocket, fetch, timers, randomness, storage and location (client-fakes.mjs).
// No server, no keyring, no browser: CTest `node_client_unit`.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  KioskGate,
  PROTOCOL,
  backoffDelay,
  connect,
  httpBaseOf,
} from '../../resources/client/kioskgate.js';
import { FakeStorage, makeEnv, recordEvents, settle } from './client-fakes.mjs';

const URL_ = 'ws://console.test:8765/v1/kiosk';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsb2JieS0xIn0.c2lnbmF0dXJlLXNlY3JldA';
const NO_JITTER = { initialMs: 1000, maxMs: 8000, factor: 2, jitter: 'none', stableMs: 5000 };

const whoamiOk = { status: 200, body: { kiosk: 'lobby-1', jti: 'j1', expiresAt: null } };

/** A fetch handler that answers whoami with `whoami` and tickets t1, t2, ... */
function server({ whoami = whoamiOk, tickets = null } = {}) {
  let n = 0;
  return (url, init) => {
    if (url.endsWith('/v1/whoami')) return typeof whoami === 'function' ? whoami(url, init) : whoami;
    if (url.endsWith('/v1/tickets')) {
      if (tickets) return tickets(url, init);
      n += 1;
      return { status: 200, body: { ticket: `t${n}-opaque`, expiresIn: 30 } };
    }
    return { status: 404, body: { error: 'not_found' } };
  };
}

/** Starts a client and lets its first attempt begin. */
async function start(options = {}, envOptions = {}) {
  const fake = makeEnv({ fetchHandler: server(envOptions.server), ...envOptions });
  const connection = connect({ url: URL_, token: TOKEN, backoff: NO_JITTER, ...options }, fake.env);
  const events = recordEvents(connection);
  await fake.clock.advance(0);
  return { ...fake, connection, events };
}

const ofType = (events, type) => events.filter((e) => e.type === type).map((e) => e.detail);

describe('backoff', () => {
  const backoff = { initialMs: 500, maxMs: 10000, factor: 2, jitter: 'none' };

  test('grows by the factor and is capped', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelay(a, 0, backoff, () => 0.5));
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });

  test('full jitter stays in [0, ceiling) and reaches both ends', () => {
    const full = { ...backoff, jitter: 'full' };
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(10000, 500 * 2 ** (attempt - 1));
      assert.equal(backoffDelay(attempt, 0, full, () => 0), 0);
      const top = backoffDelay(attempt, 0, full, () => 0.999999);
      assert.ok(top < ceiling && top >= Math.floor(ceiling * 0.999), `attempt ${attempt}: ${top} vs ${ceiling}`);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, 0, full, Math.random);
        assert.ok(d >= 0 && d < ceiling, `attempt ${attempt}: ${d} outside [0, ${ceiling})`);
      }
    }
  });

  test('decorrelated jitter stays in [initialMs, min(maxMs, 3 × previous)]', () => {
    const deco = { ...backoff, jitter: 'decorrelated' };
    let previous = 0;
    for (let attempt = 1; attempt <= 30; attempt++) {
      const d = backoffDelay(attempt, previous, deco, Math.random);
      const upper = Math.min(10000, Math.max(500, 3 * (previous || 500)));
      assert.ok(d >= 500 && d <= upper, `attempt ${attempt}: ${d} outside [500, ${upper}]`);
      previous = d;
    }
    assert.equal(backoffDelay(5, 9000, deco, () => 0.999999), 10000, 'capped at maxMs');
    assert.equal(backoffDelay(5, 9000, deco, () => 0), 500, 'never below initialMs');
  });

  test('reconnect delays of a live client grow and stop at the cap', async () => {
    const c = await start();
    for (let i = 0; i < 6; i++) {
      c.last().refuse(); // handshake refused, whoami says the token is fine
      await settle();
      const { delayMs } = ofType(c.events, 'reconnecting').at(-1);
      await c.clock.advance(delayMs);
    }
    assert.deepEqual(
      ofType(c.events, 'reconnecting').map((r) => r.delayMs),
      [1000, 2000, 4000, 8000, 8000, 8000],
    );
    assert.equal(c.sockets.length, 7);
    assert.equal(ofType(c.events, 'reconnecting')[0].reason, 'handshake_failed');
    c.connection.close();
  });

  test('reconnect delays use the injected randomness (full jitter)', async () => {
    const c = await start({ backoff: { ...NO_JITTER, jitter: 'full' } }, { random: () => 0.25 });
    c.last().refuse();
    await settle();
    await c.clock.advance(250);
    c.last().refuse();
    await settle();
    assert.deepEqual(ofType(c.events, 'reconnecting').map((r) => r.delayMs), [250, 500]);
    c.connection.close();
  });

  test('a connection that stayed open for stableMs resets the backoff; a short one does not', async () => {
    const c = await start();
    // Two quick failures: the delay grows to 2000.
    c.last().refuse();
    await c.clock.advance(1000);
    c.last().refuse();
    await c.clock.advance(2000);
    // Open, welcomed, but dropped before stableMs: the delay keeps growing.
    c.last().accept();
    c.last().welcome();
    await c.clock.advance(4999);
    c.last().serverClose(1006);
    await settle();
    assert.equal(ofType(c.events, 'reconnecting').at(-1).delayMs, 4000);
    assert.equal(ofType(c.events, 'reconnecting').at(-1).reason, 'connection_lost');
    await c.clock.advance(4000);
    // Open for stableMs: the next delay starts from initialMs again.
    c.last().accept();
    c.last().welcome();
    await c.clock.advance(5000);
    c.last().serverClose(1001, 'server shutting down');
    await settle();
    const last = ofType(c.events, 'reconnecting').at(-1);
    assert.deepEqual(last, { attempt: 1, delayMs: 1000, reason: 'server_going_away' });
    c.connection.close();
  });
});

describe('terminal closes and refused handshakes', () => {
  for (const [code, fallback] of [
    [4401, 'token_expired'],
    [4403, 'token_revoked'],
  ]) {
    test(`close ${code} stops reconnecting and says why (whoami consulted)`, async () => {
      const c = await start({}, {
        server: { whoami: { status: 401, body: { error: 'revoked_token', reason: 'revoked' } } },
      });
      c.last().accept();
      c.last().welcome();
      await settle();
      c.last().serverClose(code, 'token gone');
      await settle();
      assert.equal(c.connection.state, 'stopped');
      const [stopped] = ofType(c.events, 'stopped');
      assert.equal(stopped.code, code);
      assert.equal(stopped.httpStatus, 401);
      assert.equal(stopped.error, 'revoked_token');
      assert.equal(stopped.reason, 'revoked');
      assert.ok(c.fetches.some((f) => f.url === 'http://console.test:8765/v1/whoami'));
      await c.clock.advance(10 * 60 * 1000);
      assert.equal(c.sockets.length, 1, 'no reconnect after a terminal close');
      assert.equal(ofType(c.events, 'reconnecting').length, 0);
      assert.equal(c.clock.timers.size, 0, 'no timer left behind');
    });

    test(`close ${code} stops even when whoami cannot be reached`, async () => {
      const c = await start({}, { server: { whoami: new TypeError('Failed to fetch') } });
      c.last().accept();
      c.last().welcome();
      c.last().serverClose(code);
      await settle();
      await c.clock.advance(60000);
      assert.equal(c.connection.state, 'stopped');
      assert.equal(ofType(c.events, 'stopped')[0].reason, fallback);
      assert.equal(c.sockets.length, 1);
    });
  }

  test('close 4401 with getToken() yielding a new token reconnects with it', async () => {
    const tokens = [TOKEN, TOKEN + 'x'];
    let calls = 0;
    const c = await start({ token: undefined, getToken: async () => tokens[Math.min(calls++, 1)] });
    c.last().accept();
    c.last().welcome();
    c.last().serverClose(4401, 'token expired');
    await settle();
    assert.equal(c.connection.state, 'reconnecting');
    await c.clock.advance(1000);
    assert.equal(c.sockets.length, 2);
    assert.deepEqual(c.last().protocols, [PROTOCOL, 'kioskgate.bearer.' + TOKEN + 'x']);
    c.connection.close();
  });

  for (const [status, body] of [
    [401, { error: 'invalid_token', reason: 'expired' }],
    [403, { error: 'origin_not_allowed' }],
  ]) {
    test(`refused handshake (1006 before open), whoami ${status} ${body.error}: stopped`, async () => {
      const c = await start({}, { server: { whoami: { status, body } } });
      c.last().refuse();
      await settle();
      assert.equal(c.connection.state, 'stopped');
      const [stopped] = ofType(c.events, 'stopped');
      assert.equal(stopped.code, 1006);
      assert.equal(stopped.httpStatus, status);
      assert.equal(stopped.error, body.error);
      assert.equal(stopped.reason, body.reason || body.error);
      const whoami = c.fetches.find((f) => f.url.endsWith('/v1/whoami'));
      assert.equal(whoami.init.headers.Authorization, 'Bearer ' + TOKEN);
      await c.clock.advance(600000);
      assert.equal(c.sockets.length, 1);
    });
  }

  test('refused handshake, whoami 503 with Retry-After: keeps trying, waits at least Retry-After', async () => {
    const c = await start({}, {
      server: { whoami: { status: 503, headers: { 'Retry-After': '7' }, body: { error: 'server_full' } } },
    });
    c.last().refuse();
    await settle();
    const [retry] = ofType(c.events, 'reconnecting');
    assert.equal(retry.reason, 'server_full');
    assert.ok(retry.delayMs >= 7000 && retry.delayMs <= 8000, String(retry.delayMs));
    await c.clock.advance(retry.delayMs - 1);
    assert.equal(c.sockets.length, 1, 'not before the delay');
    await c.clock.advance(1);
    assert.equal(c.sockets.length, 2);
    assert.equal(ofType(c.events, 'stopped').length, 0);
    c.connection.close();
  });

  test('refused handshake, whoami 429 without a readable Retry-After: plain backoff', async () => {
    const c = await start({}, { server: { whoami: { status: 429, body: { error: 'too_many_failures' } } } });
    c.last().refuse();
    await settle();
    assert.deepEqual(ofType(c.events, 'reconnecting')[0], { attempt: 1, delayMs: 1000, reason: 'too_many_failures' });
    c.connection.close();
  });

  test('refused handshake, whoami unreachable: keeps backing off', async () => {
    const c = await start({}, { server: { whoami: new TypeError('Failed to fetch') } });
    for (let i = 0; i < 3; i++) {
      c.last().refuse();
      await settle();
      await c.clock.advance(ofType(c.events, 'reconnecting').at(-1).delayMs);
    }
    assert.equal(c.sockets.length, 4);
    assert.ok(ofType(c.events, 'reconnecting').every((r) => r.reason === 'unreachable'));
    c.connection.close();
  });

  test('close 1008 asks whoami and stops with the policy reason', async () => {
    const c = await start();
    c.last().accept();
    c.last().welcome();
    c.last().serverClose(1008, 'binary messages are not part of the protocol');
    await settle();
    assert.equal(c.connection.state, 'stopped');
    const [stopped] = ofType(c.events, 'stopped');
    assert.equal(stopped.code, 1008);
    assert.equal(stopped.error, 'policy_violation');
    assert.equal(stopped.reason, 'binary messages are not part of the protocol');
    assert.ok(c.fetches.some((f) => f.url.endsWith('/v1/whoami')));
  });

  test('close() ends it: closed state, no reconnect', async () => {
    const c = await start();
    c.last().accept();
    c.last().welcome();
    c.connection.close();
    await c.clock.advance(60000);
    assert.equal(c.connection.state, 'closed');
    assert.equal(c.sockets.length, 1);
    assert.equal(ofType(c.events, 'closed')[0].code, 1000);
  });
});

describe('transports', () => {
  test('subprotocol: exactly ["kioskgate.v1", "kioskgate.bearer.<token>"], URL unchanged', async () => {
    const c = await start();
    assert.equal(c.last().url, URL_);
    assert.deepEqual(c.last().protocols, ['kioskgate.v1', 'kioskgate.bearer.' + TOKEN]);
    assert.equal(c.fetches.length, 0, 'no HTTP request on the happy path');
    c.connection.close();
  });

  test('ticket: a fresh ticket per attempt, the token only in the Authorization header', async () => {
    const c = await start({ transport: 'ticket' });
    c.last().refuse();
    await settle();
    await c.clock.advance(1000);
    c.last().accept();
    c.last().welcome();
    await settle();
    const ticketCalls = c.fetches.filter((f) => f.url.endsWith('/v1/tickets'));
    assert.equal(ticketCalls.length, 2);
    for (const call of ticketCalls) {
      assert.equal(call.url, 'http://console.test:8765/v1/tickets');
      assert.equal(call.init.method, 'POST');
      assert.equal(call.init.headers.Authorization, 'Bearer ' + TOKEN);
      assert.equal(call.init.credentials, 'omit');
    }
    assert.deepEqual(c.sockets.map((s) => s.url), [URL_ + '?ticket=t1-opaque', URL_ + '?ticket=t2-opaque']);
    for (const socket of c.sockets) {
      assert.deepEqual(socket.protocols, ['kioskgate.v1']);
      assert.ok(!socket.url.includes(TOKEN) && !socket.url.includes(TOKEN.split('.')[2]));
    }
    assert.equal(c.connection.state, 'open');
    c.connection.close();
  });

  test('ticket: the wss URL maps to https, a path prefix is kept, query parameters survive', async () => {
    const fake = makeEnv({ fetchHandler: server() });
    const connection = connect(
      { url: 'wss://proxy.test/kg/v1/kiosk?site=3', token: TOKEN, transport: 'ticket' },
      fake.env,
    );
    await fake.clock.advance(0);
    assert.equal(fake.fetches[0].url, 'https://proxy.test/kg/v1/tickets');
    assert.equal(fake.last().url, 'wss://proxy.test/kg/v1/kiosk?site=3&ticket=t1-opaque');
    connection.close();
    assert.equal(httpBaseOf('ws://10.0.0.2:8765/v1/kiosk'), 'http://10.0.0.2:8765');
  });

  test('ticket: 401 from /v1/tickets stops, 503 backs off', async () => {
    const refused = await start({ transport: 'ticket' }, {
      server: { tickets: () => ({ status: 401, body: { error: 'revoked_token', reason: 'revoked' } }) },
    });
    assert.equal(refused.connection.state, 'stopped');
    assert.equal(refused.sockets.length, 0);
    assert.equal(ofType(refused.events, 'stopped')[0].reason, 'revoked');

    const busy = await start({ transport: 'ticket' }, {
      server: { tickets: () => ({ status: 503, headers: { 'Retry-After': '2' }, body: { error: 'server_full' } }) },
    });
    const [retry] = ofType(busy.events, 'reconnecting');
    assert.equal(retry.reason, 'server_full');
    assert.ok(retry.delayMs >= 2000);
    busy.connection.close();
  });

  test('getToken (sync or async) is asked once per attempt', async () => {
    let calls = 0;
    const c = await start({ token: undefined, getToken: () => { calls += 1; return TOKEN; } });
    c.last().refuse();
    await settle();
    const afterFirst = calls;
    await c.clock.advance(1000);
    assert.equal(c.sockets.length, 2);
    assert.ok(calls > afterFirst, 'asked again for the second attempt');
    c.connection.close();
  });

  test('a token or ticket in the URL is refused up front', () => {
    const fake = makeEnv();
    assert.throws(() => connect({ url: URL_ + '?access_token=' + TOKEN, token: TOKEN }, fake.env), TypeError);
    assert.throws(() => connect({ url: URL_ + '?ticket=x', token: TOKEN }, fake.env), TypeError);
    assert.throws(() => connect({ url: 'http://console.test/v1/kiosk', token: TOKEN }, fake.env), TypeError);
    assert.throws(() => connect({ url: URL_ }, fake.env), TypeError);
  });

  test('the token never appears in events or status messages', async () => {
    const c = await start({}, { server: { whoami: { status: 401, body: { error: 'invalid_token' } } } });
    c.last().accept();
    c.last().welcome();
    await settle();
    c.last().serverClose(4403);
    await settle();
    const text = JSON.stringify(c.events) + JSON.stringify(c.sockets.map((s) => s.sent));
    assert.ok(!text.includes(TOKEN.split('.')[2]));
    assert.equal(c.connection.state, 'stopped');
  });
});

describe('commands', () => {
  async function welcomed(options = {}, envOptions = {}) {
    const c = await start(options, envOptions);
    c.last().accept();
    c.last().welcome();
    await settle();
    return c;
  }

  test('status after welcome: client version and the page URL without query or fragment', async () => {
    const c = await welcomed({ clientVersion: 'lobby-app/2.1' });
    assert.deepEqual(c.last().sent, [
      { type: 'status', clientVersion: 'lobby-app/2.1', pageUrl: 'http://kiosk.test:8080/app/' },
    ]);
    const [open] = ofType(c.events, 'open');
    assert.equal(open.kiosk, 'lobby-1');
    assert.equal(open.session, 'abcdef0123456789');
    assert.equal(c.connection.state, 'open');
    c.connection.close();
  });

  test('reset: ack before acting, storage cleared except the client\'s own, start URL loaded', async () => {
    const c = await welcomed();
    c.env.localStorage.setItem('visitor', 'Ada');
    c.env.localStorage.setItem('kioskgate.mine', 'keep');
    c.env.sessionStorage.setItem('cart', '3 items');
    c.log.length = 0;
    c.last().message({ type: 'command', id: 'cmd-1', name: 'reset', issuedAt: '2026-01-01T00:00:00Z' });
    await settle();
    assert.deepEqual(c.log, [
      'send:' + JSON.stringify({ type: 'ack', id: 'cmd-1', ok: true }),
      'assign:http://kiosk.test:8080/app/?mode=lobby',
    ]);
    assert.deepEqual(c.env.localStorage.entries(), { 'kioskgate.mine': 'keep' });
    const session = c.env.sessionStorage.entries();
    assert.equal(session.cart, undefined);
    assert.deepEqual(JSON.parse(session['kioskgate.pending']), ['cmd-1']);
    assert.deepEqual(JSON.parse(session['kioskgate.handled']), ['cmd-1']);
    assert.deepEqual(ofType(c.events, 'command')[0], {
      command: { type: 'command', id: 'cmd-1', name: 'reset', issuedAt: '2026-01-01T00:00:00Z' },
      ok: true,
      duplicate: false,
    });
  });

  test('reset with startUrl loads that URL', async () => {
    const c = await welcomed({ startUrl: '/welcome.html' });
    c.last().message({ type: 'command', id: 'c2', name: 'reset' });
    await settle();
    assert.deepEqual(c.env.location.assigned, ['/welcome.html']);
  });

  test('reload: ack, then location.reload(); the page after it reports done after welcome', async () => {
    const c = await welcomed();
    c.last().message({ type: 'command', id: 'r-7', name: 'reload' });
    await settle();
    assert.equal(c.env.location.reloads, 1);
    assert.deepEqual(c.last().sent.at(-1), { type: 'ack', id: 'r-7', ok: true });

    // The "reloaded page": a new client on the same sessionStorage.
    const next = makeEnv({ fetchHandler: server() });
    next.env.sessionStorage = c.env.sessionStorage;
    const connection = connect({ url: URL_, token: TOKEN }, next.env);
    await next.clock.advance(0);
    next.last().accept();
    next.last().welcome();
    await settle();
    assert.deepEqual(next.last().sent.map((m) => m.type), ['status', 'done']);
    assert.deepEqual(next.last().sent[1], { type: 'done', id: 'r-7' });
    assert.equal(c.env.sessionStorage.getItem('kioskgate.pending'), null, 'pending cleared');

    // A redelivery of the same command: acked again, not executed again.
    next.last().message({ type: 'command', id: 'r-7', name: 'reload' });
    await settle();
    assert.deepEqual(next.last().sent.at(-1), { type: 'ack', id: 'r-7', ok: true });
    assert.equal(next.env.location.reloads, 0);
    assert.equal(c.env.location.reloads, 1);
    connection.close();
  });

  test('done is sent after a reconnect\'s welcome for every pending id, then forgotten', async () => {
    const fake = makeEnv({ fetchHandler: server() });
    fake.env.sessionStorage = new FakeStorage({ 'kioskgate.pending': JSON.stringify(['a1', 'b2']) });
    const connection = connect({ url: URL_, token: TOKEN }, fake.env);
    await fake.clock.advance(0);
    fake.last().accept();
    assert.deepEqual(fake.last().sent, [], 'nothing before the welcome');
    fake.last().welcome();
    await settle();
    assert.deepEqual(fake.last().sent.slice(1), [
      { type: 'done', id: 'a1' },
      { type: 'done', id: 'b2' },
    ]);
    // A later reconnect does not repeat them.
    fake.last().serverClose(1006);
    await fake.clock.advance(60000);
    fake.last().accept();
    fake.last().welcome();
    await settle();
    assert.deepEqual(fake.last().sent.map((m) => m.type), ['status']);
    connection.close();
  });

  test('duplicate command id within a page: acked twice, executed once', async () => {
    const c = await welcomed();
    c.last().message({ type: 'command', id: 'd1', name: 'reset' });
    c.last().message({ type: 'command', id: 'd1', name: 'reset' });
    await settle();
    assert.deepEqual(c.last().sent.slice(1), [
      { type: 'ack', id: 'd1', ok: true },
      { type: 'ack', id: 'd1', ok: true },
    ]);
    assert.equal(c.env.location.assigned.length, 1);
    assert.deepEqual(ofType(c.events, 'command').map((e) => e.duplicate), [false, true]);
  });

  test('unknown command name: ack ok:false with an error, nothing done', async () => {
    const c = await welcomed({ onCommand: () => { throw new Error('must not be called'); } });
    c.last().message({ type: 'command', id: 'u1', name: 'selfdestruct' });
    await settle();
    assert.deepEqual(c.last().sent.at(-1), { type: 'ack', id: 'u1', ok: false, error: 'unknown_command' });
    assert.equal(c.env.location.assigned.length + c.env.location.reloads, 0);
    assert.equal(c.env.sessionStorage.getItem('kioskgate.handled'), null);
    assert.equal(ofType(c.events, 'command')[0].ok, false);
  });

  test('commands without a usable id are ignored', async () => {
    const c = await welcomed();
    c.last().message({ type: 'command', name: 'reset' });
    c.last().message({ type: 'command', id: 'x'.repeat(201), name: 'reset' });
    c.last().message('not json');
    await settle();
    assert.equal(c.last().sent.length, 1); // the status only
    assert.equal(c.env.location.assigned.length, 0);
  });

  test('onCommand runs after the ack; resolving true means handled in place: done at once, no reload', async () => {
    const seen = [];
    let c;
    c = await welcomed({
      onCommand: async (command) => {
        seen.push([command.id, c.last().sent.map((m) => m.type)]);
        return true;
      },
    });
    c.last().message({ type: 'command', id: 'h1', name: 'reset' });
    await settle();
    assert.deepEqual(seen, [['h1', ['status', 'ack']]], 'the ack left before the handler ran');
    assert.deepEqual(c.last().sent.slice(1), [
      { type: 'ack', id: 'h1', ok: true },
      { type: 'done', id: 'h1' },
    ]);
    assert.equal(c.env.location.assigned.length, 0);
    c.connection.close();
  });

  test('onCommand that throws: warned, and the operator\'s reset still happens', async () => {
    const c = await welcomed({ onCommand: () => { throw new Error('analytics down'); } });
    c.last().message({ type: 'command', id: 'e1', name: 'reset' });
    await settle();
    assert.deepEqual(c.last().sent.at(-1), { type: 'ack', id: 'e1', ok: true });
    assert.equal(c.env.location.assigned.length, 1);
    assert.match(c.warnings[0], /onCommand failed for reset e1: analytics down/);
  });

  test('no location and no onCommand (e.g. Node): ack ok:false no_handler', async () => {
    const c = await welcomed({}, { location: false });
    c.last().message({ type: 'command', id: 'n1', name: 'reload' });
    await settle();
    assert.deepEqual(c.last().sent.at(-1), { type: 'ack', id: 'n1', ok: false, error: 'no_handler' });
    c.connection.close();
  });

  test('the handled-id list is bounded', async () => {
    const c = await welcomed({ onCommand: () => true });
    for (let i = 0; i < 60; i++) c.last().message({ type: 'command', id: 'b' + i, name: 'reload' });
    await settle();
    const handled = JSON.parse(c.env.sessionStorage.getItem('kioskgate.handled'));
    assert.equal(handled.length, 50);
    assert.equal(handled.at(-1), 'b59');
    c.connection.close();
  });

  test('no welcome within 10 s after open: the client closes and tries again', async () => {
    const c = await start();
    c.last().accept();
    await c.clock.advance(10000);
    await settle();
    assert.equal(ofType(c.events, 'closed')[0].code, 1000);
    assert.equal(c.connection.state, 'reconnecting');
    c.connection.close();
  });

  test('KioskGate namespace exposes connect and constants', () => {
    assert.equal(KioskGate.connect, connect);
    assert.deepEqual([...KioskGate.TERMINAL_CLOSE_CODES], [4401, 4403]);
    assert.equal(KioskGate.PROTOCOL, 'kioskgate.v1');
  });
});
