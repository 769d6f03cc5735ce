// Live sessions end when their token does: revocation through the CLI
// (close 4403 within a second) and expiry (close 4401 at `exp`).

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';

import {
  claimsOf,
  cli,
  closeClient,
  closed,
  connect,
  issueToken,
  makeDataDir,
  removeDataDirs,
  startServer,
} from './harness.mjs';

describe('token lifecycle of live sessions', { timeout: 60000 }, () => {
  let dataDir;
  let server;

  before(async () => {
    dataDir = await makeDataDir();
    server = await startServer({ dataDir, allowOrigins: ['http://127.0.0.1:9'] });
  });

  after(async () => {
    const status = server ? await server.stop() : null;
    await removeDataDirs();
    if (status) assert.deepEqual(status, { code: 0, signal: null }, 'server stops cleanly on SIGTERM');
  });

  test('revoke via the CLI closes the live session with 4403 within 1000 ms', async () => {
    const token = await issueToken(dataDir, 'revoke-me');
    // A second kiosk's session must survive the revocation.
    const bystanderToken = await issueToken(dataDir, 'bystander');
    const result = await connect(server.url, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(result.kind, 'welcome', JSON.stringify(result));
    const bystander = await connect(server.url, { headers: { Authorization: `Bearer ${bystanderToken}` } });
    assert.equal(bystander.kind, 'welcome', JSON.stringify(bystander));
    try {
      const closing = closed(result.ws, 5000);
      const started = performance.now();
      const revoke = cli(['token', 'revoke', 'revoke-me'], { dataDir });
      const close = await closing;
      const latencyMs = close.at - started;
      const run = await revoke;
      console.log(`revocation latency: ${latencyMs.toFixed(1)} ms from CLI start to close 4403 (CLI took ${run.ms.toFixed(1)} ms)`);

      assert.equal(run.code, 0, run.stderr);
      assert.equal(close.code, 4403);
      assert.ok(latencyMs < 1000, `closed ${latencyMs.toFixed(1)} ms after the CLI started (limit 1000 ms)`);
      const { jti } = claimsOf(token);
      assert.equal(run.stdout, `Revoked 1 token(s): ${jti}\nClosed 1 live session(s).\n`);

      assert.equal(bystander.ws.readyState, 1, 'the other kiosk is still connected');

      // The revoked token is refused from now on.
      const again = await connect(server.url, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(again.kind, 'refused', JSON.stringify(again));
      assert.equal(again.status, 401);
      assert.equal(again.headers['www-authenticate'], 'Bearer error="invalid_token"');
    } finally {
      await closeClient(result.ws);
      await closeClient(bystander.ws);
    }
  });

  test('a token issued with --expires 3s is closed with 4401 at exp', async () => {
    const issuedAt = Date.now();
    const token = await issueToken(dataDir, 'short-lived', { expires: '3s' });
    const claims = claimsOf(token);
    assert.equal(claims.exp - claims.iat, 3, JSON.stringify(claims));
    const expMs = claims.exp * 1000;
    assert.ok(expMs - issuedAt <= 3000 + 1000, 'exp is about 3 s after issuance');

    const result = await connect(server.url, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(result.kind, 'welcome', JSON.stringify(result));
    try {
      const close = await closed(result.ws, 3000 + 1500 + 1000);
      const closedAt = Date.now();
      console.log(
        `expiry close ${close.code} ${closedAt - expMs} ms after exp, ${closedAt - issuedAt} ms after issuance`,
      );
      assert.equal(close.code, 4401);
      assert.ok(closedAt >= expMs - 50, `closed ${expMs - closedAt} ms before exp`);
      assert.ok(closedAt - issuedAt <= 3000 + 1500, `closed ${closedAt - issuedAt} ms after issuance (limit 4500)`);
      assert.ok(closedAt - expMs <= 1500, `closed ${closedAt - expMs} ms after exp`);
    } finally {
      await closeClient(result.ws);
    }

    // Expired now: refused before the upgrade.
    const again = await connect(server.url, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(again.kind, 'refused', JSON.stringify(again));
    assert.equal(again.status, 401);
    assert.equal(again.headers['www-authenticate'], 'Bearer error="invalid_token"');
  });

  test('SIGTERM closes live sessions with 1001 and the server exits 0', async () => {
    // A server of its own: this one is stopped here.
    const ownDir = await makeDataDir();
    const own = await startServer({ dataDir: ownDir });
    let result;
    try {
      const token = await issueToken(ownDir, 'shutdown-kiosk');
      result = await connect(own.url, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(result.kind, 'welcome', JSON.stringify(result));
      const closing = closed(result.ws, 5000);
      const status = await own.stop();
      const close = await closing;
      assert.equal(close.code, 1001);
      assert.deepEqual(status, { code: 0, signal: null });
      assert.match(own.output(), /stop requested; closing sessions[\s\S]*stopped/);
    } finally {
      await closeClient(result?.ws);
      await own.stop().catch(() => {});
    }
  });
});
