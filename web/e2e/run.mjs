#!/usr/bin/env node
// End-to-end tests of the page against a real capconf server, in Debian's Chromium.
//
//   node e2e/run.mjs --capconf PATH --chromium /usr/bin/chromium --artifacts DIR [--only NAME]
//
// Starts its own server (fresh temporary database, free port) serving web/dist, runs every
// scenario, prints one PASS/FAIL line per scenario, stops the server however the run ends, and
// exits 1 when any scenario failed. Screenshots go to the artifacts directory.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launch } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';
import scenarios from './scenarios/index.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    capconf: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    artifacts: { type: 'string', default: path.join(here, '..', 'e2e-artifacts') },
    web: { type: 'string', default: path.join(here, '..', 'dist') },
    only: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

function usage(message) {
  console.error(`e2e: ${message}\nusage: node e2e/run.mjs --capconf PATH --chromium PATH --artifacts DIR [--only NAME] [--verbose]`);
  process.exit(2);
}
if (!values.capconf) usage('--capconf is required');
if (!existsSync(values.capconf)) usage(`no capconf binary at ${values.capconf}`);
if (!existsSync(values.chromium)) usage(`no Chromium at ${values.chromium} (apt-get install -y chromium)`);
if (!existsSync(path.join(values.web, 'index.html'))) usage(`no built page in ${values.web}: run npm run build first`);
const artifacts = path.resolve(values.artifacts);
mkdirSync(artifacts, { recursive: true });

const log = values.verbose ? (m) => console.log(m) : () => {};
const selected = scenarios.filter((s) => !values.only || s.name === values.only);
if (selected.length === 0) usage(`no scenario named ${values.only}; have ${scenarios.map((s) => s.name).join(', ')}`);

let server;
let browser;
let failed = 0;
let passed = 0;
try {
  server = await startServer({ capconf: path.resolve(values.capconf), web: path.resolve(values.web), log });
  browser = await launch(values.chromium);
  const openapi = await (await fetch(`${server.base}/api/v1/openapi.json`)).json();
  const env = { base: server.base, artifacts, browser, log, routes: new Set(Object.keys(openapi.paths ?? {})) };
  for (const s of selected) {
    const started = Date.now();
    try {
      await s.run(env);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      passed++;
      console.log(`PASS ${s.name} (${secs} s)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${s.name}: ${(e?.stack ?? String(e)).split('\n').slice(0, 12).join('\n    ')}`);
    }
  }
} catch (e) {
  failed++;
  console.log(`FAIL setup: ${e?.message ?? e}`);
} finally {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
}
console.log(`screenshots in ${artifacts}`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
