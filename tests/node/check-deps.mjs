// Preloaded (node --import ./check-deps.mjs --test ...) before any test file:
// the e2e suite needs its npm dependencies, and a missing install must fail
// the run with instructions, never skip it.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const required = { ws: 8, 'playwright-core': 1 };
const problems = [];
for (const [name, major] of Object.entries(required)) {
  const manifest = path.join(here, 'node_modules', name, 'package.json');
  let version;
  try {
    version = JSON.parse(readFileSync(manifest, 'utf8')).version;
  } catch {
    problems.push(`${name} is not installed (${manifest} is missing)`);
    continue;
  }
  if (Number(version.split('.')[0]) !== major) {
    problems.push(`${name} ${version} is installed, the tests need ${major}.x`);
  }
}
if (problems.length) {
  process.stderr.write(
    `node_e2e: the end-to-end tests' npm dependencies are not installed:\n` +
      problems.map((p) => `  - ${p}\n`).join('') +
      `Run:  npm ci --prefix tests/node   (or scripts/setup-node-tests.sh) from the repository root.\n`,
  );
  process.exit(1);
}
