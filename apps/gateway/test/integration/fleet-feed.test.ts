import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { KeyLayout, createValkeyClient, waitUntilReady } from '@baton/session';
import { FleetHeartbeat, Readiness } from '@baton/service-kit';
import { NAMESPACE, gatewayRig } from './gateway-rig.js';
import { type GatewayUnderTest, startGateway } from './harness.js';
import { TestSocket } from './ws-client.js';

interface FleetMessage {
  type: 'fleet';
  now: number;
  replicas: {
    instance: string;
    service: string;
    state: string;
    version?: string;
    seenAt: number;
  }[];
}
interface SessionMessage {
  type: 'session';
  session: {
    key: string;
    ttlMs: number;
    bytes: number;
    fields: { name: string; bytes: number; preview: string }[];
  } | null;
}
type Message = { type: 'hello'; servedBy: string } | FleetMessage | SessionMessage;

/**
 * `/ws/fleet` on a gateway in front of a real Valkey with the heartbeats that service-kit's
 * FleetHeartbeat writes there, as every replica of the platform does.
 */
describe('/ws/fleet: the fleet from the heartbeats, and the browser its own session key', () => {
  const rig = gatewayRig({ accounts: {} });
  const clients: Redis[] = [];
  const heartbeats: FleetHeartbeat[] = [];
  after(async () => {
    for (const beat of heartbeats) await beat.stop();
    clients.forEach((client) => client.disconnect());
  });

  /** What a replica's runService writes: a heartbeat on a connection of its own. */
  async function replica(
    instance: string,
    version: string,
    options: { draining?: boolean; ttlMs?: number } = {},
  ): Promise<FleetHeartbeat> {
    const valkey = createValkeyClient({ url: rig.valkey.url });
    clients.push(valkey);
    await waitUntilReady(valkey);
    const readiness = new Readiness(valkey);
    if (options.draining) readiness.drain();
    const beat = new FleetHeartbeat({
      valkey,
      namespace: NAMESPACE,
      identity: { instance, version },
      readiness,
      logger: pino({ level: 'silent' }),
      ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
    });
    heartbeats.push(beat);
    return beat;
  }

  /** A fleet socket as the shop page opens it: same origin, the SESSION cookie when it has one. */
  function fleetSocket(gateway: GatewayUnderTest, headers: Record<string, string> = {}) {
    return rig.track(
      new TestSocket(`ws://127.0.0.1:${gateway.port}/ws/fleet`, {
        origin: gateway.url,
        ...headers,
      }),
    );
  }

  /** Reads messages until one of `type` satisfies `accept`; every message read goes to `seen`. */
  async function until<T extends Message['type']>(
    socket: TestSocket,
    type: T,
    accept: (message: Extract<Message, { type: T }>) => boolean,
    seen: Message[] = [],
    timeoutMs = 5_000,
  ): Promise<Extract<Message, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    let last: Message | undefined;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no ${type} message as expected; the last one: ${JSON.stringify(last)}`);
      }
      const message = (await socket.next(left)) as Message;
      seen.push(message);
      if (message.type === type) {
        last = message;
        if (accept(message as Extract<Message, { type: T }>)) {
          return message as Extract<Message, { type: T }>;
        }
      }
    }
  }

  const replicaIn = (message: FleetMessage, instance: string) =>
    message.replicas.find((entry) => entry.instance === instance);

  it('greets with the gateway, then sends each heartbeat with its state and build', async () => {
    (await replica('cart-1', 'v7')).start();
    (await replica('cart-2', 'v8', { draining: true })).start();
    const socket = fleetSocket(rig.gateway);
    await socket.opened;
    assert.deepEqual(await socket.next(), { type: 'hello', servedBy: 'gateway-1' });
    const fleet = await until(
      socket,
      'fleet',
      (message) => !!replicaIn(message, 'cart-1') && !!replicaIn(message, 'cart-2'),
    );
    assert.deepEqual(
      fleet.replicas
        .filter((entry) => entry.instance.startsWith('cart-'))
        .map(({ instance, service, state, version }) => ({ instance, service, state, version })),
      [
        { instance: 'cart-1', service: 'cart', state: 'ready', version: 'v7' },
        { instance: 'cart-2', service: 'cart', state: 'draining', version: 'v8' },
      ],
    );
  });

  it('shows a replica whose heartbeat expired as gone, and one that stopped cleanly at once', async () => {
    // One beat and no more: a SIGKILLed replica, whose key only its TTL removes.
    const killed = await replica('account-1', 'v1', { ttlMs: 400 });
    await killed.beat();
    const stopped = await replica('account-2', 'v1');
    stopped.start();
    const socket = fleetSocket(rig.gateway);
    await socket.opened;
    await until(
      socket,
      'fleet',
      (message) =>
        replicaIn(message, 'account-1')?.state === 'ready' &&
        replicaIn(message, 'account-2')?.state === 'ready',
    );
    const gone = await until(socket, 'fleet', (m) => replicaIn(m, 'account-1')?.state !== 'ready');
    // Gone, with nothing but when it was last seen: the index keeps the beat's time.
    const { seenAt, ...rest } = replicaIn(gone, 'account-1')!;
    assert.deepEqual(rest, { instance: 'account-1', service: 'account', state: 'gone' });
    assert.ok(seenAt <= gone.now, 'last seen before now');
    assert.equal(replicaIn(gone, 'account-2')?.state, 'ready', 'a replica still beating stays');
    await stopped.stop();
    const left = await until(socket, 'fleet', (m) => replicaIn(m, 'account-2')?.state !== 'ready');
    assert.equal(replicaIn(left, 'account-2')?.state, 'gone');
  });

  it("sends the caller's own session key (fields, sizes, TTL) and never the token", async () => {
    const token = await rig.signIn('alice', 60_000);
    const other = await rig.signIn('bob', 60_000);
    const id = (await rig.accounts.open({ headers: { 'x-auth-token': token } })).session.id;
    const key = new KeyLayout(NAMESPACE).sessionKey(id);
    const stored = await rig.gateway.valkey.hgetall(key);
    assert.ok(Object.keys(stored).length > 0, 'signIn stored a session');

    const seen: Message[] = [];
    const socket = fleetSocket(rig.gateway, { cookie: `theme=dark; SESSION=${token}` });
    await socket.opened;
    const { session } = await until(socket, 'session', (m) => m.session !== null, seen);
    assert.ok(session);
    assert.equal(session.key, key, 'the key of the session the cookie names');
    assert.deepEqual(
      session.fields.map(({ name, bytes }) => ({ name, bytes })),
      Object.entries(stored)
        .map(([name, value]) => ({
          name,
          bytes: Buffer.byteLength(name) + Buffer.byteLength(value),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    assert.equal(
      session.bytes,
      session.fields.reduce((sum, field) => sum + field.bytes, 0),
    );
    assert.ok(session.ttlMs > 0 && session.ttlMs <= 60_000, `ttlMs ${session.ttlMs}`);
    // The TTL runs down from snapshot to snapshot: the feed reads the key without touching it
    // (a feed that extended the session would keep it alive for as long as the tab is open).
    await until(
      socket,
      'session',
      (m) => m.session !== null && m.session.ttlMs < session.ttlMs - 500,
      seen,
    );

    const everything = JSON.stringify(seen);
    assert.ok(!everything.includes(token), 'the token is never sent');
    assert.ok(!everything.includes(other), "another session's token is never sent");
    const otherId = (await rig.accounts.open({ headers: { 'x-auth-token': other } })).session.id;
    assert.ok(!everything.includes(otherId), "another session's key is never sent");
  });

  it('sends no session, and creates none, without one or with a token Valkey does not hold', async () => {
    const sessionKeys = () => rig.gateway.valkey.keys(`${NAMESPACE}:sessions:*`);
    const before = (await sessionKeys()).sort();
    const cases = [
      fleetSocket(rig.gateway),
      fleetSocket(rig.gateway, { cookie: `SESSION=${'A'.repeat(43)}` }),
      fleetSocket(rig.gateway, { cookie: 'SESSION=not a token' }),
    ];
    for (const socket of cases) {
      await socket.opened;
      // The fleet is no one's secret; a session key is shown only to the browser holding it.
      await until(socket, 'fleet', () => true);
      const { session } = await until(socket, 'session', () => true);
      assert.equal(session, null);
    }
    assert.deepEqual((await sessionKeys()).sort(), before);
  });

  it('refuses a cross-site handshake with 403 before the upgrade, as /ws does', async () => {
    const token = await rig.signIn('cora');
    const refused: Record<string, string>[] = [
      { origin: 'https://evil.example', cookie: `SESSION=${token}` },
      { origin: 'null', cookie: `SESSION=${token}` },
      { origin: rig.gateway.url, 'sec-fetch-site': 'cross-site', cookie: `SESSION=${token}` },
    ];
    for (const headers of refused) {
      const answers: { status: number; code: string }[] = [];
      for (const path of ['/ws', '/ws/fleet']) {
        const socket = rig.track(
          new TestSocket(`ws://127.0.0.1:${rig.gateway.port}${path}`, headers),
        );
        const err = (await socket.opened.then(
          () => assert.fail(`the ${path} handshake succeeded with ${JSON.stringify(headers)}`),
          (e: unknown) => e,
        )) as { status: number; body: string };
        const { code } = (JSON.parse(err.body) as { error: { code: string } }).error;
        answers.push({ status: err.status, code });
      }
      assert.deepEqual(answers, [
        { status: 403, code: 'CROSS_SITE_REQUEST' },
        { status: 403, code: 'CROSS_SITE_REQUEST' },
      ]);
    }
  });

  it('closes its sockets with 1001 on drain and refuses new ones with 503, as /ws does', async () => {
    const extra = await startGateway({ ...rig.gatewayEnv, INSTANCE_ID: 'gateway-2' });
    try {
      const socket = fleetSocket(extra);
      await socket.opened;
      extra.app.drain();
      assert.equal((await socket.closedWithin(2_000)).code, 1001);
      const late = fleetSocket(extra);
      const err = (await late.opened.catch((e: unknown) => e)) as { status: number; body: string };
      assert.equal(err.status, 503);
      assert.equal((JSON.parse(err.body) as { error: { code: string } }).error.code, 'DRAINING');
    } finally {
      await extra.close();
    }
  });
});
