// No token ever leaks: exercise every transport with valid and invalid
// tokens, and the CLI, then scan everything the server and the CLI printed
// (and every refusal the server sent) for any token or part of one.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import {
  claimsOf,
  cliOk,
  cliRuns,
  closeClient,
  connect,
  issueToken,
  makeDataDir,
  removeDataDirs,
  startPageServer,
  startServer,
  tamper,
  withTimeout,
} from './harness.mjs';

/** Sends `request` verbatim and resolves with the whole response text. */
function rawExchange(port, request, ms = 5000) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      const chunks = [];
      socket.on('connect', () => socket.write(request));
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.on('error', reject);
    }),
    ms,
    'raw HTTP exchange',
  );
}

const statusOf = (response) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1]);

describe('tokens never leak into logs or CLI output', { timeout: 90000 }, () => {
  let dataDir;
  let server;
  let allowedPage;
  let disallowedPage;
  let token;
  let spare; // a second valid token, never revoked
  const responses = []; // every refusal or HTTP answer the server sent
  const secrets = [];

  before(async () => {
    allowedPage = await startPageServer('<!doctype html><title>allowed</title>');
    disallowedPage = await startPageServer('<!doctype html><title>disallowed</title>');
    // A large failure budget: each invalid attempt below must reach the
    // token checks instead of being cut short with 429.
    dataDir = await makeDataDir({ limits: { failure_burst: 1000 } });
    server = await startServer({ dataDir, allowOrigins: [allowedPage.origin], allowQueryToken: true });
    token = await issueToken(dataDir, 'scan-kiosk');
    spare = (await cliOk(['token', 'issue', 'spare-kiosk', '--json'], { dataDir })).stdout;
    spare = JSON.parse(spare).token;
    assert.match(spare, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    for (const t of [token, spare]) {
      const [, payload, signature] = t.split('.');
      const bad = tamper(t);
      secrets.push(
        ['token', t],
        ['signature', signature],
        ['payload', payload],
        ['tampered token', bad],
        ['tampered signature', bad.split('.')[2]],
      );
    }
  });

  after(async () => {
    const status = server ? await server.stop() : null;
    await allowedPage?.close();
    await disallowedPage?.close();
    await removeDataDirs();
    if (status) assert.deepEqual(status, { code: 0, signal: null }, 'server stops cleanly on SIGTERM');
  });

  async function expectRefusal(label, url, options, status, error) {
    const result = await connect(url, options);
    assert.equal(result.kind, 'refused', `${label}: ${JSON.stringify(result)}`);
    responses.push({ label, text: `${result.rawHeaders.join('\n')}\n\n${result.body}` });
    assert.equal(result.status, status, `${label}: ${result.body}`);
    assert.equal(result.json?.error, error, `${label}: ${result.body}`);
    if (status === 401) {
      assert.equal(result.headers['www-authenticate'], 'Bearer error="invalid_token"', label);
    }
  }

  async function expectWelcome(label, url, options, kiosk) {
    const result = await connect(url, options);
    assert.equal(result.kind, 'welcome', `${label}: ${JSON.stringify(result)}`);
    responses.push({ label, text: result.upgradeHeaders.join('\n') });
    assert.equal(result.welcome.kiosk, kiosk, label);
    return result.ws;
  }

  test('every transport, valid and invalid, then the CLI', async () => {
    const q = (t) => `${server.url}?access_token=${encodeURIComponent(t)}`;
    const sub = (t) => ['kioskgate.v1', `kioskgate.bearer.${t}`];
    const allowed = allowedPage.origin;
    const bad = tamper(token);
    const live = [];
    try {
      // Valid, one per transport.
      live.push(await expectWelcome('header', server.url, { headers: { Authorization: `Bearer ${token}` } }, 'scan-kiosk'));
      live.push(await expectWelcome('subprotocol', server.url, { protocols: sub(token), origin: allowed }, 'scan-kiosk'));
      live.push(await expectWelcome('query', q(token), { origin: allowed }, 'scan-kiosk'));

      // While they are live, status shows one session per transport.
      const status = JSON.parse((await cliOk(['status', '--json'], { dataDir })).stdout);
      assert.equal(status.running, true);
      assert.equal(status.port, server.port);
      assert.deepEqual(
        status.sessions.map((s) => `${s.kiosk}/${s.transport}`).sort(),
        ['scan-kiosk/header', 'scan-kiosk/query', 'scan-kiosk/subprotocol'],
      );

      // Invalid: tampered token in each transport.
      await expectRefusal('tampered header', server.url, { headers: { Authorization: `Bearer ${bad}` } }, 401, 'invalid_token');
      await expectRefusal('tampered subprotocol', server.url, { protocols: sub(bad), origin: allowed }, 401, 'invalid_token');
      await expectRefusal('tampered query', q(bad), { origin: allowed }, 401, 'invalid_token');
      await expectRefusal('Basic scheme', server.url, { headers: { Authorization: `Basic ${token}` } }, 401, 'invalid_token');

      // Wrong transport combinations.
      await expectRefusal('header + subprotocol', server.url,
        { headers: { Authorization: `Bearer ${token}` }, protocols: sub(token), origin: allowed }, 400, 'ambiguous_token');
      await expectRefusal('header + query', q(token), { headers: { Authorization: `Bearer ${token}` } }, 400, 'ambiguous_token');
      await expectRefusal('subprotocol + query', q(token), { protocols: sub(token), origin: allowed }, 400, 'ambiguous_token');
      await expectRefusal('two bearer subprotocols', server.url,
        { protocols: ['kioskgate.v1', `kioskgate.bearer.${token}`, `kioskgate.bearer.${spare}`], origin: allowed },
        400, 'ambiguous_token');
      await expectRefusal('bearer without kioskgate.v1', server.url,
        { protocols: [`kioskgate.bearer.${token}`], origin: allowed }, 400, 'subprotocol_required');
      await expectRefusal('subprotocol without Origin', server.url, { protocols: sub(token) }, 403, 'origin_required');
      await expectRefusal('query without Origin', q(token), {}, 403, 'origin_required');

      // Disallowed origin.
      await expectRefusal('disallowed origin, subprotocol', server.url,
        { protocols: sub(token), origin: disallowedPage.origin }, 403, 'origin_not_allowed');
      await expectRefusal('disallowed origin, query', q(token), { origin: disallowedPage.origin }, 403, 'origin_not_allowed');
      await expectRefusal('disallowed origin, header', server.url,
        { headers: { Authorization: `Bearer ${token}` }, origin: disallowedPage.origin }, 403, 'origin_not_allowed');

      // Plain HTTP and odd requests carrying a token.
      const key = 'dGhlIHNhbXBsZSBub25jZQ==';
      const exchanges = [
        ['GET without upgrade, query token', `GET /v1/kiosk?access_token=${token} HTTP/1.1\r\nHost: x\r\n\r\n`, 400],
        ['unknown path with token', `GET /v1/kiosk/${token} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`, 404],
        ['healthz with token', `GET /healthz?access_token=${token} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`, 200],
        ['POST with token', `POST /v1/kiosk?access_token=${token} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`, 405],
        ['wrong websocket version with token',
          `GET /v1/kiosk HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
          `Sec-WebSocket-Version: 8\r\nAuthorization: Bearer ${token}\r\n\r\n`, 426],
        ['malformed header line with token', `GET /v1/kiosk HTTP/1.1\r\nHost: x\r\nBearer ${token}\r\n\r\n`, 400],
      ];
      for (const [label, request, expected] of exchanges) {
        const response = await rawExchange(server.port, request);
        responses.push({ label, text: response });
        assert.equal(statusOf(response), expected, `${label}: ${response}`);
      }

      // CLI: list, status, revoke.
      const list = await cliOk(['token', 'list'], { dataDir });
      assert.match(list.stdout, /^scan-kiosk\s+\S+\s+active\s/m);
      const listJson = JSON.parse((await cliOk(['token', 'list', '--json'], { dataDir })).stdout);
      assert.deepEqual(listJson.tokens.map((t) => t.kiosk).sort(), ['scan-kiosk', 'spare-kiosk']);
      await cliOk(['status', '--json'], { dataDir });
      await cliOk(['status'], { dataDir });
      const revoke = await cliOk(['token', 'revoke', 'scan-kiosk'], { dataDir });
      assert.equal(revoke.stdout, `Revoked 1 token(s): ${claimsOf(token).jti}\nClosed 3 live session(s).\n`);

      // Revoked, in each transport.
      await expectRefusal('revoked header', server.url, { headers: { Authorization: `Bearer ${token}` } }, 401, 'revoked_token');
      await expectRefusal('revoked subprotocol', server.url, { protocols: sub(token), origin: allowed }, 401, 'revoked_token');
      await expectRefusal('revoked query', q(token), { origin: allowed }, 401, 'revoked_token');
      await cliOk(['token', 'list', '--json'], { dataDir });
      await cliOk(['status', '--json'], { dataDir });
    } finally {
      for (const ws of live) await closeClient(ws);
    }
  });

  test('no token, signature, payload or tampered token in the server log or the CLI output', async () => {
    // Let the server finish logging (closes, shutdown) before scanning.
    const status = await server.stop();
    assert.deepEqual(status, { code: 0, signal: null });
    const log = server.output();
    assert.match(log, /refused 401 invalid_token/, 'the refusals were logged (the scan saw the real log)');
    assert.match(log, /refused 403 origin_not_allowed/);

    const places = [['server stdout+stderr', log]];
    for (const run of cliRuns) {
      const isIssue = run.args[0] === 'token' && run.args[1] === 'issue';
      // `token issue` prints the token on stdout: that is its job.
      if (!isIssue) places.push([`stdout of kioskgate ${run.args.join(' ')}`, run.stdout]);
      places.push([`stderr of kioskgate ${run.args.join(' ')}`, run.stderr]);
    }
    for (const { label, text } of responses) places.push([`response to ${label}`, text]);
    assert.ok(cliRuns.length >= 10, `the CLI ran (${cliRuns.length} runs)`);

    const leaks = [];
    for (const [where, text] of places) {
      for (const [what, secret] of secrets) {
        if (text.includes(secret)) leaks.push(`${what} found in ${where}`);
      }
    }
    assert.deepEqual(leaks, []);
  });
});
