import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SessionManager, createValkeyClient, waitUntilReady } from '@baton/session';
import { ValkeyProcess, freePort } from '@baton/valkey-testing';
import { FakeUpstream } from './fake-upstream.js';
import { request } from './harness.js';
import { TestSocket } from './ws-client.js';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

describe('SIGTERM with open WebSockets (the real main.js)', () => {
  let valkey: ValkeyProcess;
  let upstream: FakeUpstream;
  let gateway: ChildProcess | undefined;
  let socket: TestSocket | undefined;

  before(async () => {
    valkey = await ValkeyProcess.start();
    upstream = await FakeUpstream.start('cart-1');
  });

  after(async () => {
    socket?.terminate();
    if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
    await upstream?.stop();
    await valkey?.dispose();
  });

  it('closes sockets with 1001 going away, then exits 0', async () => {
    const port = await freePort();
    gateway = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        INSTANCE_ID: 'gateway-1',
        HOST: '127.0.0.1',
        PORT: String(port),
        VALKEY_URL: valkey.url,
        CART_URL: upstream.url,
        ACCOUNT_URL: upstream.url,
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while ((await request(base, 'GET', '/readyz').catch(() => undefined))?.status !== 200) {
      assert.ok(Date.now() < deadline, 'the gateway did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const client = createValkeyClient({ url: valkey.url });
    await waitUntilReady(client);
    const manager = new SessionManager({
      client,
      namespace: 'myplatform:sessions',
      resolver: 'header',
    });
    const opened = await manager.open({ headers: {} });
    opened.session.set('cart', []);
    const headers = new Map<string, string>();
    await opened.commit({
      getHeader: (name) => headers.get(name.toLowerCase()),
      setHeader: (name, value) => headers.set(name.toLowerCase(), String(value)),
    });
    client.disconnect();

    socket = new TestSocket(`ws://127.0.0.1:${port}/ws`, {
      'x-auth-token': headers.get('x-auth-token') ?? '',
    });
    await socket.opened;
    const exited = once(gateway, 'exit');
    gateway.kill('SIGTERM');
    assert.deepEqual(await socket.closedWithin(2_000), { code: 1001, reason: 'going away' });
    const [code] = (await Promise.race([
      exited,
      new Promise((_resolve, reject) => setTimeout(() => reject(new Error('no exit')), 5_000)),
    ])) as [number | null];
    assert.equal(code, 0);
  });
});
