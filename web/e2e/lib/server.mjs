// Starts `capconf serve --demo` on a free port with a fresh temporary database and data
// directory, and stops it (SIGTERM, then SIGKILL) however the run ends.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set();

async function stopAll() {
  await Promise.all([...running].map((s) => s.stop()));
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await stopAll();
    process.exit(130);
  });
}
process.once('exit', () => {
  for (const s of running) s.child.kill('SIGKILL');
});

export async function startServer({ capconf, web, log = () => {} }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capconf-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = [
    'serve', '--demo', '--insecure-cookies',
    '--listen', `127.0.0.1:${port}`,
    '--database', `sqlite:${path.join(dir, 'capconf.db')}`,
    '--data-dir', path.join(dir, 'data'),
    '--web', web,
  ];
  const child = spawn(capconf, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));

  const server = {
    base,
    dir,
    child,
    output: () => output,
    async stop() {
      if (!running.has(server)) return;
      running.delete(server);
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exit;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(server);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await server.stop();
      throw new Error(`capconf exited (${JSON.stringify(exited)}) before it was ready:\n${output}`);
    }
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`capconf was not ready within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`capconf ready at ${base} (${dir})`);
  return server;
}
