// `baton-stack run` (what `npm start` calls): foreground, one line per event, and Ctrl+C leaves
// nothing running. Real apps, free ports, a temporary state directory.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/local/ports.js';
import { createStack, type Stack } from '../src/stack.js';

const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));

let stateDir: string;
let stack: Stack;

before(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'baton-stack-run-'));
  stack = createStack({ stateDir, edgePort: await freePort(), valkeyPort: await freePort() });
});

after(async () => {
  await stack.down().catch((error: unknown) => console.error('down failed:', error));
  await rm(stateDir, { recursive: true, force: true });
});

it(
  'run starts the stack in the foreground and SIGINT stops all of it',
  { timeout: 120_000 },
  async () => {
    const child = spawn(process.execPath, [cli, 'run'], {
      env: {
        ...process.env,
        BATON_STACK_DIR: stateDir,
        EDGE_PORT: String(stack.options.edgePort),
        VALKEY_PORT: String(stack.options.valkeyPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    // Bounded by the test's timeout; stops early if run exits.
    while (!output.includes('stack ready') && child.exitCode === null) await sleep(100);
    assert.ok(output.includes('stack ready'), `run exited before the stack was ready:\n${output}`);
    const running = await stack.status();
    assert.deepEqual(
      running.filter((entry) => entry.state !== 'running').map((entry) => entry.name),
      [],
    );
    assert.match(output, /cart-2\s+ready\s+pid=\d+ port=\d+/);

    child.kill('SIGINT');
    const [code] = await exited;
    assert.equal(code, 0, output);
    assert.match(output, /stack stopped/);
    for (const entry of await stack.status()) assert.equal(entry.state, 'stopped', entry.name);
    assert.equal(existsSync(path.join(stateDir, 'state.json')), false);
  },
);
