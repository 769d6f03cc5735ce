// The TypeScript declarations of the browser client match it:
// - tsc --noEmit compiles types/usage.ts (typed uses, and @ts-expect-error
//   lines that must stay errors) against resources/client/kioskgate.d.ts;
// - the names the .d.ts exports are exactly the names kioskgate.js exports.
// CTest `node_client_types`; needs `npm ci --prefix tests/node` (typescript).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as client from '../../resources/client/kioskgate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tsc = path.join(here, 'node_modules', 'typescript', 'bin', 'tsc');
const declarations = path.join(here, '../../resources/client/kioskgate.d.ts');

test('typescript is installed (npm ci --prefix tests/node)', () => {
  assert.ok(existsSync(tsc), `${tsc} is missing: run npm ci --prefix tests/node`);
});

test('tsc --noEmit accepts the typed usage and rejects the wrong ones', async () => {
  const result = await new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', path.join(here, 'types', 'tsconfig.json')],
      { timeout: 90000 }, (error, stdout, stderr) => resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr }));
  });
  assert.equal(result.code, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
});

test('the declared exports are exactly the runtime exports', () => {
  const text = readFileSync(declarations, 'utf8');
  const declared = new Set();
  for (const m of text.matchAll(/^export declare (?:const|function|class) (\w+)/gm)) declared.add(m[1]);
  if (/^export default /m.test(text)) declared.add('default');
  const runtime = new Set(Object.keys(client));
  assert.deepEqual([...declared].sort(), [...runtime].sort());
});
