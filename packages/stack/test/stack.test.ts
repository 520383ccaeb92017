// The local stack against the real apps, valkey-server and nginx: every verb, on free ports and a
// temporary state directory, so a developer's running stack (.stack/, 8080, 6379) is untouched.
// Needs `npm run build` (the apps' dist/) first; turbo's test task does that.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { findExecutable } from '../src/local/binaries.js';
import type { ProcessStatus } from '../src/stack-driver.js';
import type { Stack } from '../src/stack.js';
import { VALKEY_ADMIN_USER } from '../src/local/valkey-credentials.js';
import { CLI, freshStackNames, temporaryStack, type TemporaryStack } from './temporary-stack.js';

const run = promisify(execFile);

let temporary: TemporaryStack;
let stack: Stack;
let stateDir: string;
/** Every PID the stack ever reported: after `down`, none of them may be alive. */
const seen = new Set<number>();

before(async () => {
  temporary = await temporaryStack();
  ({ stack, stateDir } = temporary);
});

// Always tear down, even after a failed assertion: nothing of this test may outlive it.
after(() => temporary.dispose());

describe('local stack', { timeout: 300_000 }, () => {
  it('up starts valkey, nginx and two replicas of every service, and returns once they are ready', async () => {
    await stack.up();
    const status = await statusByName();
    assert.deepEqual(Object.keys(status), freshStackNames());
    for (const name of freshStackNames()) {
      assert.equal(status[name]?.state, 'running', `${name} is not running`);
      assert.ok(Number.isInteger(status[name]?.pid) && Number.isInteger(status[name]?.port));
    }
    assert.equal(status.nginx?.port, stack.options.edgePort);
    assert.equal(status.valkey?.port, stack.options.valkeyPort);
    assert.equal((await fetch(`${stack.edgeUrl}/healthz`)).status, 200);
  });

  it('runs Valkey with infra/valkey/valkey.conf', async () => {
    const config = await valkeyCli('CONFIG', 'GET', '*');
    const value = (name: string) => config[config.indexOf(name) + 1];
    assert.deepEqual([...(value('notify-keyspace-events') ?? '')].sort(), ['E', 'g', 'x']);
    assert.equal(value('appendonly'), 'yes');
    assert.equal(value('appendfsync'), 'everysec');
    assert.equal(value('maxmemory-policy'), 'noeviction');
    assert.equal(value('dir'), path.join(stateDir, 'valkey'));
  });

  it('round-robins the edge over both gateways', async () => {
    for (let i = 0; i < 6; i++) await (await fetch(`${stack.edgeUrl}/healthz`)).text();
    const log = await readFile(path.join(stateDir, 'logs', 'nginx.log'), 'utf8');
    const status = await statusByName();
    for (const name of ['gateway-1', 'gateway-2'] as const) {
      assert.match(
        log,
        new RegExp(`upstream=127\\.0\\.0\\.1:${status[name]?.port} `),
        `${name} got no request`,
      );
    }
  });

  it('status --json prints [{name, pid, port, state}] for every process', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'status', '--json'], {
      env: temporary.cliEnv,
    });
    assert.deepEqual(JSON.parse(stdout), await stack.status());
  });

  it('restart replaces the process gracefully and waits until it is ready', async () => {
    const before = await statusByName();
    await run(process.execPath, [CLI, 'restart', 'gateway-1'], { env: temporary.cliEnv });
    const afterRestart = await statusByName();
    assert.equal(afterRestart['gateway-1']?.state, 'running');
    assert.notEqual(afterRestart['gateway-1']?.pid, before['gateway-1']?.pid);
    assert.ok(isGone(before['gateway-1']!.pid!), 'the old gateway-1 is still alive');
    assert.equal(await readyz(afterRestart['gateway-1']!.port!), 200);
  });

  it('kill SIGKILLs without restarting, start brings it back', async () => {
    const killed = (await statusByName())['cart-1']!;
    await stack.kill('cart-1');
    assert.equal((await statusByName())['cart-1']?.state, 'stopped');
    assert.ok(isGone(killed.pid!), 'cart-1 survived SIGKILL');
    await sleep(300);
    assert.equal((await statusByName())['cart-1']?.state, 'stopped', 'cart-1 came back by itself');

    await stack.start('cart-1');
    const started = (await statusByName())['cart-1']!;
    assert.equal(started.state, 'running');
    assert.notEqual(started.pid, killed.pid);
    assert.equal(await readyz(started.port!), 200);
  });

  it('rolling-restart replaces every app replica while the edge keeps answering', async () => {
    const before = await statusByName();
    const answers = new Map<number, number>();
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const status = await fetch(`${stack.edgeUrl}/healthz`).then(
          (response) => response.arrayBuffer().then(() => response.status),
          () => 0,
        );
        answers.set(status, (answers.get(status) ?? 0) + 1);
        await sleep(20);
      }
    })();
    try {
      await stack.rollingRestart();
    } finally {
      probing = false;
      await probe;
    }
    const afterRestart = await statusByName();
    for (const name of freshStackNames().filter((n) => before[n]?.service)) {
      assert.equal(afterRestart[name]?.state, 'running', `${name} is not running`);
      assert.notEqual(afterRestart[name]?.pid, before[name]?.pid, `${name} was not restarted`);
    }
    assert.equal(afterRestart.nginx?.pid, before.nginx?.pid);
    assert.equal(afterRestart.valkey?.pid, before.valkey?.pid);
    assert.deepEqual(
      [...answers.keys()],
      [200],
      `edge answers during the restart: ${JSON.stringify([...answers])}`,
    );
  });

  it('valkey-restart keeps the data', async () => {
    const before = (await statusByName()).valkey!;
    assert.deepEqual(await valkeyCli('SET', 'baton:stack-test', 'kept'), ['OK']);
    await stack.valkeyRestart();
    const afterRestart = (await statusByName()).valkey!;
    assert.notEqual(afterRestart.pid, before.pid);
    assert.ok(isGone(before.pid!));
    assert.deepEqual(await valkeyCli('GET', 'baton:stack-test'), ['kept']);
  });

  it('down stops everything and leaves no process behind', async () => {
    const last = await stack.status();
    await stack.down();
    for (const entry of await stack.status())
      assert.equal(entry.state, 'stopped', `${entry.name} still runs`);
    assert.equal(
      existsSync(path.join(stateDir, 'state.json')),
      false,
      'the PID records were not removed',
    );
    for (const pid of seen) assert.ok(isGone(pid), `pid ${pid} is still alive`);
    // nginx's workers are not in the status: look for anything left in the stack's process groups.
    const groups = new Set(last.map((entry) => entry.pid));
    const leftovers = livePids().filter((pid) => groups.has(processGroup(pid)));
    assert.deepEqual(leftovers, [], 'processes left in the stack process groups');
  });
});

/** @private */
async function statusByName(): Promise<Partial<Record<string, ProcessStatus>>> {
  const status = await stack.status();
  for (const entry of status) if (entry.pid !== null) seen.add(entry.pid);
  return Object.fromEntries(status.map((entry) => [entry.name, entry]));
}

/** @private */
async function readyz(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  await response.arrayBuffer();
  return response.status;
}

/** @private */
async function valkeyCli(...args: string[]): Promise<string[]> {
  const binary = findExecutable('valkey-cli');
  assert.ok(binary, 'valkey-cli not found — run ./scripts/setup.sh');
  const { stdout } = await run(binary, [
    '-p',
    String(stack.options.valkeyPort),
    // The stack's Valkey has ACL users (infra/valkey/users.acl); reading keys takes admin.
    ...['--user', VALKEY_ADMIN_USER.username, '--pass', VALKEY_ADMIN_USER.password],
    '--no-auth-warning',
    '--no-raw',
    ...args,
  ]);
  // --no-raw prints `1) "value"` or `"value"` or `OK`: keep the values.
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(/^\s*\d+\)\s*/, '').replace(/^"(.*)"$/, '$1'));
}

/** Gone, or a zombie waiting for its parent: either way it runs nothing any more. @private */
function isGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

/** @private */
function livePids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => !isGone(pid));
}

/** @private */
function processGroup(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return -1;
  }
}
