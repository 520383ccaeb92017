// `baton-stack run` (what `npm start` calls): foreground, one line per event, and Ctrl+C leaves
// nothing running. Real apps, free ports, a temporary state directory.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, temporaryStack, type TemporaryStack } from './temporary-stack.js';

let temporary: TemporaryStack;

before(async () => {
  temporary = await temporaryStack();
});

after(() => temporary.dispose());

it(
  'run starts the stack in the foreground and SIGINT stops all of it',
  { timeout: 120_000 },
  async () => {
    const { stack, stateDir } = temporary;
    const child = spawn(process.execPath, [CLI, 'run'], {
      env: temporary.cliEnv,
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
