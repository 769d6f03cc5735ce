// The Node kiosk example (examples/node-kiosk/kiosk.mjs) against the mock
// console: the Authorization header transport without Origin, ack before the
// "reset" (a reconnect), done after the next welcome, no re-execution of a
// redelivered command, and a stop on close 4403. CTest `node_client_examples`.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';

import { runKiosk } from '../../examples/node-kiosk/kiosk.mjs';
import { startMockConsole } from './mock-console.mjs';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJub2RlLTEifQ.bm9kZS1raW9zay1zaWduYXR1cmU';

describe('Node kiosk example', { timeout: 30000 }, () => {
  let mock;
  const refused = {};
  before(async () => {
    mock = await startMockConsole({ allowedOrigin: 'http://unused.test', tokens: { [TOKEN]: 'node-1' }, refused });
  });
  after(async () => mock?.close());

  test('header transport; reset: ack, reconnect, done; redelivery acked only; 4403 stops', async () => {
    const lines = [];
    const kiosk = runKiosk({
      url: mock.url, getToken: () => TOKEN, WebSocket, log: (l) => lines.push(l), backoff: { initialMs: 50, maxMs: 200 },
    });
    try {
      const c1 = await mock.waitFor(() => mock.connections[0]?.messages.length && mock.connections[0], 5000, 'status');
      assert.equal(c1.transport, 'header');
      assert.equal(c1.origin, undefined);
      assert.equal(c1.url, '/v1/kiosk');
      c1.ws.send(JSON.stringify({ type: 'command', id: 'n-1', name: 'reset' }));
      await mock.waitFor(() => c1.messages.some((m) => m.type === 'ack'), 5000, 'ack');
      assert.deepEqual(c1.messages.at(-1), { type: 'ack', id: 'n-1', ok: true });
      const c2 = await mock.waitFor(
        () => mock.connections[1]?.messages.some((m) => m.type === 'done') && mock.connections[1], 5000, 'done');
      assert.deepEqual(c2.messages.map((m) => m.type), ['status', 'done']);
      assert.deepEqual(c2.messages[1], { type: 'done', id: 'n-1' });

      c2.ws.send(JSON.stringify({ type: 'command', id: 'n-1', name: 'reset' }));
      c2.ws.send(JSON.stringify({ type: 'command', id: 'n-2', name: 'explode' }));
      await mock.waitFor(() => c2.messages.filter((m) => m.type === 'ack').length === 2, 5000, 'acks');
      assert.deepEqual(c2.messages.slice(2), [
        { type: 'ack', id: 'n-1', ok: true },
        { type: 'ack', id: 'n-2', ok: false, error: 'unknown_command' },
      ]);
      assert.equal(mock.connections.length, 2, 'no reset for a redelivery');

      c2.ws.close(4403, 'token revoked');
      await mock.waitFor(() => lines.some((l) => l.startsWith('stopped: close 4403')), 5000, 'stop');
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(mock.connections.length, 2, 'no reconnect after 4403');
    } finally {
      kiosk.stop();
    }
  });

  test('refused handshake: 401 stops with the status; the token is not in any URL', async () => {
    refused[TOKEN] = { status: 401, body: { error: 'revoked_token' } };
    const lines = [];
    const before = mock.connections.length;
    const kiosk = runKiosk({ url: mock.url, getToken: () => TOKEN, WebSocket, log: (l) => lines.push(l) });
    try {
      await mock.waitFor(() => lines.some((l) => l.startsWith('stopped:')), 5000, 'stop');
      assert.deepEqual(lines, ['stopped: HTTP 401 revoked_token']);
      assert.equal(mock.connections.length, before);
      assert.ok(mock.requests.every((r) => !r.url.includes(TOKEN.split('.')[2])));
    } finally {
      kiosk.stop();
      delete refused[TOKEN];
    }
  });
});
