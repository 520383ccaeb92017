// The local stack with --topology cluster: the real apps on a 3-master Valkey Cluster. An
// anonymous cart, a login through the edge (changeId across slots, indexed mode), then the cart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProcessStatus } from '../src/stack-driver.js';
import type { Stack } from '../src/stack.js';
import { type CookieJar, type EdgeSend, adminCli, edgeSender } from './stack-clients.js';
import { freshStackNames, temporaryStack, type TemporaryStack } from './temporary-stack.js';

let temporary: TemporaryStack;
let stack: Stack;
let send: EdgeSend;
const pids: number[] = [];

before(async () => {
  temporary = await temporaryStack({ topology: 'cluster' });
  ({ stack } = temporary);
  send = edgeSender(stack.edgeUrl, 10_000);
});
after(async () => {
  await temporary.dispose();
  for (const pid of pids) {
    assert.throws(() => process.kill(pid, 0), `pid ${pid} outlived down`);
  }
});

describe('local stack, cluster topology', { timeout: 180_000 }, () => {
  let status: Record<string, ProcessStatus>;
  let masters: number[];

  it('up starts three cluster masters, nginx and the six apps', async () => {
    const started = performance.now();
    await stack.up();
    console.log(`# cluster stack up in ${Math.round(performance.now() - started)} ms`);
    status = Object.fromEntries((await stack.status()).map((entry) => [entry.name, entry]));
    assert.deepEqual(Object.keys(status), freshStackNames('cluster'));
    for (const entry of Object.values(status)) {
      assert.equal(entry.state, 'running', entry.name);
      pids.push(entry.pid!);
    }
    masters = ['valkey', 'valkey-2', 'valkey-3'].map((name) => status[name]!.port!);
    assert.equal(masters[0], stack.options.valkeyPort);
    for (const port of masters) {
      const info = await adminCli(port, 'CLUSTER', 'INFO');
      assert.match(info, /cluster_state:ok/);
      assert.match(info, /cluster_size:3/);
    }
  });

  it('logs in and fills a cart through the edge, on sessions spread over the masters', async () => {
    const jar: CookieJar = {};
    const added = await send(jar, 'POST', '/api/cart/items', { sku: 'apple', qty: 2 });
    assert.equal(added.status, 201, await added.clone().text());
    const anonymous = jar.cookie;
    const login = await send(jar, 'POST', '/api/account/login', {
      username: 'alice',
      password: 'alice123',
    });
    assert.equal(login.status, 200, await login.clone().text());
    assert.notEqual(jar.cookie, anonymous, 'a new token at login (changeId)');
    const more = await send(jar, 'POST', '/cart/pear');
    assert.equal(more.status, 200);
    const cart = (await (await send(jar, 'GET', '/api/cart')).json()) as {
      lines: { sku: string; qty: number }[];
    };
    assert.deepEqual(
      cart.lines.map((line) => [line.sku, line.qty]),
      [
        ['apple', 2],
        ['pear', 1],
      ],
      'the anonymous cart survived the login',
    );
    const me = (await (await send(jar, 'GET', '/api/account/me')).json()) as {
      user: { username: string };
    };
    assert.equal(me.user.username, 'alice');
    const sessions = (await (await send(jar, 'GET', '/api/account/sessions')).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    assert.equal(sessions.sessions.filter((s) => s.current).length, 1, 'indexed mode lists it');
    const old = await send({ cookie: anonymous }, 'GET', '/api/account/me');
    assert.equal(old.status, 401, 'the anonymous token is dead after login');

    // The session lives on exactly one master; the index keys on one master too.
    const { id } = sessions.sessions[0]!;
    const holders = await Promise.all(
      masters.map((port) => adminCli(port, '--scan', '--pattern', `*{${id}}`)),
    );
    assert.equal(holders.filter(Boolean).length, 1, `one master holds ${id}`);
    const index = await Promise.all(
      masters.map((port) => adminCli(port, '--scan', '--pattern', 'myplatform:sessions:{index}:*')),
    );
    console.log(
      `# session on :${masters[holders.findIndex(Boolean)]}, index keys: ${index.join(' ').replace(/\s+/g, ' ').trim()}`,
    );
    assert.equal(index.filter(Boolean).length, 1, 'the index keys share one slot');
  });

  it('restarts the master that holds the session: it rejoins with its slots and the cart', async () => {
    const jar: CookieJar = {};
    const added = await send(jar, 'POST', '/cart/pear');
    const { sessionId } = (await added.json()) as { sessionId: string };
    const holders = await Promise.all(
      masters.map((port) => adminCli(port, '--scan', '--pattern', `*{${sessionId}}`)),
    );
    const name = (['valkey', 'valkey-2', 'valkey-3'] as const)[holders.findIndex(Boolean)];
    assert.ok(name, `no master holds ${sessionId}: ${JSON.stringify(holders)} ${added.status}`);
    const started = performance.now();
    await stack.restart(name);
    let cart: string[] = [];
    for (let i = 0; i < 100 && !cart.includes('pear'); i++) {
      const res = await send(jar, 'GET', '/cart').catch(() => undefined);
      if (res?.status === 200) cart = ((await res.json()) as { cart: string[] }).cart;
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
    console.log(
      `# ${name} restarted; the cart answered again after ${Math.round(performance.now() - started)} ms`,
    );
    assert.deepEqual(cart, ['pear']);
    assert.match(await adminCli(stack.options.valkeyPort, 'CLUSTER', 'INFO'), /cluster_state:ok/);
  });
});
