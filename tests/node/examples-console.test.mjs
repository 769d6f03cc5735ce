// The examples run the way their READMEs say, against the real console with
// its default TLS:
// - examples/node-kiosk: `KIOSKGATE_CA=… KIOSKGATE_TOKEN=$(kioskgate token
//   issue node-1) node kiosk.mjs` (the file itself, in a child process) is
//   reset by `kioskgate reset-all`, and stops when its token is revoked;
// - examples/browser-kiosk: `KIOSKGATE_TOKEN=… node serve.mjs` (a child
//   process) and Chromium started with the pin `kioskgate tls show` prints;
//   `kioskgate reset-all` reloads the page and ends done.
// CTest `node_examples_console` (keyring).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { cli, cliOk, issueToken, makeDataDir, removeDataDirs, startServer, withTimeout } from './harness.mjs';
import { launchChromium } from './chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const examples = path.resolve(here, '../../examples');

/** A child process whose output can be awaited (bounded); killed in after(). */
function run(command, args, { cwd, env }) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const watchers = new Set();
  const append = (chunk) => {
    output += chunk;
    for (const check of watchers) check();
  };
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    output: () => output,
    /** Resolves once `regex` has matched `count` times in the output. */
    waitFor(regex, ms, count = 1) {
      const global = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : regex.flags + 'g');
      return withTimeout(
        new Promise((resolve) => {
          const check = () => {
            const matches = [...output.matchAll(global)];
            if (matches.length >= count) {
              watchers.delete(check);
              resolve(matches);
            }
          };
          watchers.add(check);
          check();
        }),
        ms,
        `${path.basename(args[0])} to print ${regex} ×${count}`,
      ).catch((error) => {
        throw new Error(`${error.message}\n--- output ---\n${output}`);
      });
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return withTimeout(exited, 5000, 'example to exit').catch(() => child.kill('SIGKILL'));
    },
  };
}

/** A free loopback port (the page server's origin must be known before the console starts). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function resetAllJson(dataDir) {
  const result = await cli(['reset-all', '--json', '--wait', '20'], { dataDir, timeoutMs: 30000 });
  assert.equal(result.code, 0, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe('the examples as their READMEs run them, against the real console (TLS on)', { timeout: 150000 }, () => {
  let dataDir;
  let server;
  let facts;
  let pagePort;
  const children = [];
  let browser;

  before(async () => {
    dataDir = await makeDataDir();
    pagePort = await freePort();
    server = await startServer({ dataDir, tls: true, allowOrigins: [`http://127.0.0.1:${pagePort}`] });
    facts = JSON.parse((await cliOk(['tls', 'show', '--json'], { dataDir })).stdout);
  });

  after(async () => {
    if (browser) await withTimeout(browser.close(), 15000, 'Chromium to close');
    for (const child of children) await child.stop();
    const status = server ? await server.stop() : null;
    await removeDataDirs();
    if (status) assert.deepEqual(status, { code: 0, signal: null });
  });

  test('node-kiosk/kiosk.mjs: wss with the console certificate as CA; reset-all → done; revoke → stops', async () => {
    // `cd examples/node-kiosk && npm install`: here the file runs from a copy
    // whose node_modules is the test suite's (same `ws`).
    const dir = path.join(dataDir, 'node-kiosk');
    await mkdir(dir);
    await copyFile(path.join(examples, 'node-kiosk/kiosk.mjs'), path.join(dir, 'kiosk.mjs'));
    await copyFile(path.join(examples, 'node-kiosk/package.json'), path.join(dir, 'package.json'));
    await symlink(path.join(here, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

    const token = await issueToken(dataDir, 'node-1');
    const kiosk = run(process.execPath, ['kiosk.mjs'], {
      cwd: dir,
      env: { KIOSKGATE_URL: server.url, KIOSKGATE_CA: facts.certificatePath, KIOSKGATE_TOKEN: token },
    });
    children.push(kiosk);
    await kiosk.waitFor(/connected as node-1, session /, 10000);

    const command = await resetAllJson(dataDir);
    assert.deepEqual(command.targets.map((t) => [t.kiosk, t.state]), [['node-1', 'done']]);
    await kiosk.waitFor(new RegExp(`command reset ${command.id}: resetting`), 5000);
    await kiosk.waitFor(/connected as node-1, session /, 5000, 2);

    await cliOk(['token', 'revoke', 'node-1'], { dataDir });
    await kiosk.waitFor(/stopped: close 4403/, 5000);
    // Nothing left to do: the example's process ends by itself.
    assert.deepEqual(await withTimeout(kiosk.exited, 5000, 'kiosk.mjs to exit after stopping'), { code: 0, signal: null });
    const [, payload, signature] = token.split('.');
    assert.ok(!kiosk.output().includes(signature) && !kiosk.output().includes(payload), 'the example never prints its token');
  });

  test('node-kiosk/kiosk.mjs without KIOSKGATE_CA: the certificate is not trusted, the kiosk retries', async () => {
    const token = await issueToken(dataDir, 'node-2');
    const kiosk = run(process.execPath, [path.join(dataDir, 'node-kiosk', 'kiosk.mjs')], {
      cwd: path.join(dataDir, 'node-kiosk'),
      env: { KIOSKGATE_URL: server.url, KIOSKGATE_CA: '', KIOSKGATE_TOKEN: token },
    });
    children.push(kiosk);
    await kiosk.waitFor(/connection error: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/, 10000);
    await kiosk.waitFor(/reconnecting in [\d.]+ s \(close 1006\)/, 5000);
    await kiosk.stop();
    await cliOk(['token', 'revoke', 'node-2'], { dataDir });
  });

  test('browser-kiosk/serve.mjs + Chromium with the pin `tls show` prints: reset-all → reload → done', async () => {
    const origin = `http://127.0.0.1:${pagePort}`;
    const token = await issueToken(dataDir, 'lobby-1', { origins: [origin] });
    const page = run(process.execPath, [path.join(examples, 'browser-kiosk/serve.mjs')], {
      cwd: path.resolve(examples, '..'),
      env: { KIOSKGATE_TOKEN: token, KIOSKGATE_URL: server.url, PORT: String(pagePort) },
    });
    children.push(page);
    await page.waitFor(new RegExp(`kiosk page: ${origin}/ +\\(console: ${server.url}, transport subprotocol\\)`), 5000);

    // The Chromium line of `tls show`: its pin flag, as a kiosk would use it.
    const pin = /--ignore-certificate-errors-spki-list=(\S+)/.exec(facts.chromiumCommandLine);
    assert.ok(pin, facts.chromiumCommandLine);
    assert.equal(pin[1], facts.spkiSha256);
    assert.ok(facts.chromiumCommandLine.includes(`${origin}/`), 'the line opens the allowed page');
    browser = await launchChromium([pin[0]]);
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      tab.setDefaultTimeout(10000);
      await tab.goto(`${origin}/`);
      await tab.locator('#state.open').waitFor();
      await tab.click('#tap');
      const timeOrigin = await tab.evaluate(() => performance.timeOrigin);
      const command = await resetAllJson(dataDir);
      assert.deepEqual(command.targets.filter((t) => t.state !== 'offline').map((t) => [t.kiosk, t.state]),
        [['lobby-1', 'done']]);
      await tab.waitForFunction((t) => performance.timeOrigin !== t && window.kiosk?.state === 'open', timeOrigin);
      assert.equal(await tab.textContent('#taps'), '0');
    } finally {
      await context.close();
    }
  });
});
