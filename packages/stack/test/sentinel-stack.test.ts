// The local stack with --topology sentinel: the real apps on a primary, a replica and three
// sentinels. One cart through the edge before and after the primary is SIGKILLed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessStatus } from '../src/stack-driver.js';
import type { Stack } from '../src/stack.js';
import { type CookieJar, type EdgeSend, adminCli, edgeSender } from './stack-clients.js';
import { freshStackNames, temporaryStack, type TemporaryStack } from './temporary-stack.js';

let temporary: TemporaryStack;
let stack: Stack;
let send: EdgeSend;

before(async () => {
  temporary = await temporaryStack({ topology: 'sentinel' });
  ({ stack } = temporary);
  send = edgeSender(stack.edgeUrl, 5_000);
});
after(() => temporary.dispose());

describe('local stack, sentinel topology', { timeout: 180_000 }, () => {
  let status: Record<string, ProcessStatus>;
  const jar: CookieJar = {};

  it('up starts the primary, the replica, three sentinels, nginx and the six apps', async () => {
    await stack.up();
    status = Object.fromEntries((await stack.status()).map((entry) => [entry.name, entry]));
    assert.deepEqual(Object.keys(status), freshStackNames('sentinel'));
    for (const entry of Object.values(status)) assert.equal(entry.state, 'running', entry.name);
    const sentinelPort = status['sentinel-1']!.port!;
    const named = await adminCli(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'baton');
    assert.equal(named.split('\n')[1], String(stack.options.valkeyPort));
  });

  it('logs in and serves a cart through the edge, and the replica holds the session', async () => {
    const login = await send(jar, 'POST', '/api/account/login', {
      username: 'alice',
      password: 'alice123',
    });
    assert.equal(login.status, 200, await login.clone().text());
    const res = await send(jar, 'POST', '/cart/apple');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { sessionId: string; cart: string[] };
    assert.deepEqual(body.cart, ['apple']);
    // The session's hash, read on the replica (its key ends in the hash-tagged session id).
    const replicaPort = status['valkey-replica']!.port!;
    let held = '';
    for (let i = 0; i < 20 && !held.includes('apple'); i++) {
      const key = await adminCli(replicaPort, '--scan', '--pattern', `*{${body.sessionId}}`);
      held = key ? await adminCli(replicaPort, 'HGETALL', key) : '';
      if (!held.includes('apple')) await sleep(100);
    }
    assert.ok(held.includes('apple'), `the replica holds the session: ${held}`);
  });

  it('keeps the login and the cart when the primary is SIGKILLed: the replica is promoted', async () => {
    const killed = performance.now();
    await stack.kill('valkey');
    let res: Response | undefined;
    let failed = 0;
    while (performance.now() - killed < 60_000) {
      res = await send(jar, 'POST', '/cart/pear').catch(() => undefined);
      if (res?.status === 200) break;
      failed++;
      await res?.arrayBuffer();
      await sleep(200);
    }
    console.log(
      `stack failover: first cart add after ${Math.round(performance.now() - killed)} ms, ${failed} failed attempts`,
    );
    assert.equal(res?.status, 200);
    assert.deepEqual(((await res!.json()) as { cart: string[] }).cart, ['apple', 'pear']);
    const me = (await (await send(jar, 'GET', '/api/account/me')).json()) as {
      user: { username: string };
    };
    assert.equal(me.user.username, 'alice', 'still signed in after the failover');
    const replicaPort = status['valkey-replica']!.port!;
    assert.equal((await adminCli(replicaPort, 'ROLE')).split('\n')[0], 'master');
  });

  it('down stops every process, sentinels included', async () => {
    const pids = Object.values(status).map((entry) => entry.pid!);
    await stack.down();
    for (const entry of await stack.status()) assert.equal(entry.state, 'stopped', entry.name);
    for (const pid of pids) {
      // Gone, or a zombie its parent has not reaped yet: either way it runs nothing any more.
      const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
      assert.ok(stat === '' || /\) [ZX] /.test(stat), `pid ${pid} is still alive`);
    }
  });
});
