import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { NAMESPACE, gatewayRig } from './gateway-rig.js';
import { type GatewayUnderTest, request, startGateway } from './harness.js';
import { TestSocket } from './ws-client.js';

describe('/ws: live cart and session endings across two gateways', () => {
  const rig = gatewayRig({
    cart: 'real',
    gateways: [{}, {}],
    accounts: { maxSessionsPerPrincipal: 1 },
  });
  const { signIn, logout, track } = rig;
  const browserSocket = (gateway: GatewayUnderTest, token?: string) => rig.socket(gateway, token);
  const origin = (gateway: GatewayUnderTest) => gateway.url;
  let one: GatewayUnderTest;
  let two: GatewayUnderTest;
  before(() => {
    [one, two] = rig.gateways as [GatewayUnderTest, GatewayUnderTest];
  });

  /** A cart change through a gateway, as the shop page sends it. */
  async function addToCart(gateway: GatewayUnderTest, token: string | undefined, sku: string) {
    const res = await rig.addToCart(gateway, token, sku);
    assert.ok(res.status === 200 || res.status === 201, `POST /api/cart/items → ${res.status}`);
    return res;
  }

  /** The next message that is not the greeting. */
  async function nextPush(socket: TestSocket): Promise<unknown> {
    for (;;) {
      const message = (await socket.next()) as { type?: string };
      if (message.type !== 'hello') return message;
    }
  }

  it('greets a socket with the gateway that holds it', async () => {
    const token = await signIn('greta');
    const socket = browserSocket(one, token);
    await socket.opened;
    assert.deepEqual(await socket.next(), { type: 'hello', servedBy: 'gateway-1' });
  });

  it('pushes a cart change made through gateway-2 to every socket of the session, on both gateways', async () => {
    // The first add creates the session (anonymous cart); the browser gets its cookie.
    const first = await addToCart(two, undefined, 'apple');
    const token = /SESSION=([^;]+)/.exec(String(first.headers['set-cookie']))?.[1];
    assert.ok(token);
    const onOne = browserSocket(one, token);
    // An API client: the token in X-Auth-Token, no Origin.
    const api = track(new TestSocket(`ws://127.0.0.1:${two.port}/ws`, { 'x-auth-token': token }));
    const strangerToken = await signIn('stranger');
    const stranger = browserSocket(one, strangerToken);
    await Promise.all([onOne.opened, api.opened, stranger.opened]);

    await addToCart(two, token, 'pear');
    const expected = {
      type: 'cart',
      cart: {
        lines: [
          { sku: 'apple', qty: 1 },
          { sku: 'pear', qty: 1 },
        ],
        count: 2,
      },
    };
    assert.deepEqual(await nextPush(onOne), expected);
    assert.deepEqual(await nextPush(api), expected);

    // Another session's socket on the same gateway: its first push is its own change, so it
    // never got the cart above (pushes go out in the order the changes were published).
    await addToCart(two, strangerToken, 'lemon');
    assert.deepEqual(await nextPush(stranger), {
      type: 'cart',
      cart: { lines: [{ sku: 'lemon', qty: 1 }], count: 1 },
    });
  });

  it('closes the sockets of a revoked session with 4001 on both gateways within 2 s', async () => {
    const token = await signIn('rita');
    const sockets = [browserSocket(one, token), browserSocket(two, token)];
    await Promise.all(sockets.map((s) => s.opened));
    const id = (await rig.accounts.open({ headers: { 'x-auth-token': token } })).session.id;
    assert.equal(await rig.accounts.index.revoke('rita', id), true);
    for (const socket of sockets) {
      assert.deepEqual(await socket.closedWithin(2_000), { code: 4001, reason: 'session revoked' });
    }
  });

  it('closes the sockets of a logged-out session with 4002', async () => {
    const token = await signIn('lou');
    const sockets = [browserSocket(one, token), browserSocket(two, token)];
    await Promise.all(sockets.map((s) => s.opened));
    await logout(token);
    for (const socket of sockets) {
      assert.deepEqual(await socket.closedWithin(2_000), { code: 4002, reason: 'logged out' });
    }
  });

  it('closes the socket of a session evicted by a newer login with 4004', async () => {
    const token = await signIn('eve');
    const socket = browserSocket(two, token);
    await socket.opened;
    await signIn('eve'); // maxSessionsPerPrincipal: 1
    assert.deepEqual(await socket.closedWithin(2_000), { code: 4004, reason: 'session evicted' });
  });

  it('closes the sockets of an expired session with 4003', async () => {
    const token = await signIn('ed', 1_000);
    const socket = browserSocket(one, token);
    await socket.opened;
    // Expiry (1 s) plus at most one sweep interval (1 s) plus delivery.
    assert.deepEqual(await socket.closedWithin(4_000), { code: 4003, reason: 'session expired' });
  });

  it('closes a socket without a session with 4401 and creates none', async () => {
    const sessionKeys = () => one.valkey.keys(`${NAMESPACE}:sessions:*`);
    const keys = (await sessionKeys()).sort();
    const cases = [
      browserSocket(one),
      browserSocket(one, 'A'.repeat(43)), // well-formed, unknown
      browserSocket(two, 'not a token'),
      track(new TestSocket(`ws://127.0.0.1:${two.port}/ws`, { 'x-auth-token': 'B'.repeat(43) })),
    ];
    for (const socket of cases) {
      assert.deepEqual(await socket.closedWithin(2_000), { code: 4401, reason: 'no session' });
    }
    assert.deepEqual((await sessionKeys()).sort(), keys);
  });

  it('refuses a cross-site handshake with 403 before the upgrade', async () => {
    const token = await signIn('cora');
    const refused: Record<string, string>[] = [
      { origin: 'https://evil.example', cookie: `SESSION=${token}` },
      { origin: 'null', cookie: `SESSION=${token}` },
      { origin: origin(one), 'sec-fetch-site': 'cross-site', cookie: `SESSION=${token}` },
    ];
    for (const headers of refused) {
      const socket = track(new TestSocket(`ws://127.0.0.1:${one.port}/ws`, headers));
      const err = (await socket.opened.then(
        () => assert.fail('the handshake succeeded'),
        (e: unknown) => e,
      )) as { status: number; body: string };
      assert.equal(err.status, 403);
      assert.equal(
        (JSON.parse(err.body) as { error: { code: string } }).error.code,
        'CROSS_SITE_REQUEST',
      );
    }
  });

  it('answers an upgrade elsewhere than /ws with 404', async () => {
    const socket = track(new TestSocket(`ws://127.0.0.1:${one.port}/api/cart`));
    const err = (await socket.opened.catch((e: unknown) => e)) as { status: number };
    assert.equal(err.status, 404);
  });

  it('counts open sockets in /metrics', async () => {
    const socket = browserSocket(two, await signIn('mia'));
    await socket.opened;
    const res = await request(two.url, 'GET', '/metrics');
    const open = /^baton_websocket_connections\{[^}]*\} (\d+)$/m.exec(res.body);
    assert.ok(open && Number(open[1]) >= 1, res.body.slice(0, 200));
  });
});

describe('/ws heartbeat and shutdown', () => {
  const rig = gatewayRig({ heartbeatMs: 100, accounts: {} });

  async function sessionToken(): Promise<string> {
    const opened = await rig.accounts.open({ headers: {} });
    opened.session.set('cart', []);
    const headers = new Map<string, string>();
    await opened.commit({
      getHeader: (name) => headers.get(name.toLowerCase()),
      setHeader: (name, value) => headers.set(name.toLowerCase(), String(value)),
    });
    return headers.get('x-auth-token') ?? '';
  }
  function socketTo(target: GatewayUnderTest, token: string, autoPong = true): TestSocket {
    return rig.track(
      new TestSocket(`ws://127.0.0.1:${target.port}/ws`, { 'x-auth-token': token }, { autoPong }),
    );
  }

  it('cuts a socket that stops answering pings and keeps one that answers', async () => {
    const token = await sessionToken();
    const silent = socketTo(rig.gateway, token, false);
    const healthy = socketTo(rig.gateway, token);
    await Promise.all([silent.opened, healthy.opened]);
    const closed = await silent.closedWithin(1_000);
    assert.equal(closed.code, 1006, 'terminated without a close frame');
    assert.equal(healthy.isOpen, true);
  });

  it('close() closes open sockets with 1001 going away, and refuses new ones while draining', async () => {
    const extra = await startGateway({ ...rig.gatewayEnv, INSTANCE_ID: 'gateway-2' });
    try {
      const token = await sessionToken();
      const socket = socketTo(extra, token);
      await socket.opened;
      extra.app.drain();
      assert.deepEqual(await socket.closedWithin(2_000), { code: 1001, reason: 'going away' });
      const late = socketTo(extra, token);
      const err = (await late.opened.catch((e: unknown) => e)) as { status: number };
      assert.equal(err.status, 503);
    } finally {
      await extra.close();
    }
    const token = await sessionToken();
    const other = await startGateway({ ...rig.gatewayEnv, INSTANCE_ID: 'gateway-3' });
    const sockets = [socketTo(other, token), socketTo(other, token)];
    await Promise.all(sockets.map((s) => s.opened));
    await other.app.close();
    for (const socket of sockets) {
      assert.deepEqual(await socket.closedWithin(500), { code: 1001, reason: 'going away' });
    }
    await other.close();
  });
});
