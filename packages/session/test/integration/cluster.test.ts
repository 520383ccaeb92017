import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Cluster } from 'ioredis';
import type { ValkeyCluster } from '@baton/valkey-testing';
import {
  type SessionDelta,
  type SessionEvent,
  ValkeySessionStore,
  sessionIdOf,
} from '../../src/core/index.js';
import {
  CLUSTER_NS,
  type ClusterNode,
  flushCluster,
  keysPerMaster,
  masterOf,
  startCluster,
  startClusterNode,
} from './cluster-harness.js';
import { RecordingLogger } from './harness.js';
import { login, request, waitFor } from './indexed-harness.js';

const delta = (over: Partial<SessionDelta> = {}): SessionDelta => ({
  set: new Map(),
  remove: new Set(),
  maxInactiveMs: 60_000,
  maxInactiveChanged: false,
  ...over,
});

/** Every event each node's listeners saw. */
function record(nodes: ClusterNode[]): SessionEvent[] {
  const seen: SessionEvent[] = [];
  for (const node of nodes) {
    node.manager.events
      .on('created', (e) => void seen.push(e))
      .on('deleted', (e) => void seen.push(e))
      .on('expired', (e) => void seen.push(e));
  }
  return seen;
}

function countOf(seen: SessionEvent[], type: SessionEvent['type'], id: string): number {
  return seen.filter((e) => e.type === type && e.id === id).length;
}

// notify-keyspace-events off on every node: indexed mode's 'auto' action must set it on each.
describe('Valkey Cluster: sessions on 3 real masters', () => {
  let cluster: ValkeyCluster;
  let client: Cluster;
  let nodes: ClusterNode[] = [];

  async function startNodes(
    count: number,
    ...args: Parameters<typeof startClusterNode> extends [unknown, ...infer R] ? R : never
  ) {
    const started = await Promise.all(
      Array.from({ length: count }, () => startClusterNode(cluster, ...args)),
    );
    nodes.push(...started);
    await Promise.all(started.map((n) => n.manager.ready()));
    return started;
  }

  before(async () => {
    ({ cluster, client } = await startCluster(['--notify-keyspace-events', '']));
  });
  after(async () => {
    client?.disconnect();
    await cluster?.dispose();
  });
  beforeEach(() => flushCluster(client));
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
  });

  it('spreads sessions over every master; load, save and update work without CROSSSLOT', async () => {
    const [a, b] = await startNodes(2, false);
    const tokens: string[] = [];
    for (let i = 0; i < 30; i++) {
      tokens.push((await request(a!.manager, undefined, (s) => s.set('n', i))).token as string);
    }
    const perMaster = await keysPerMaster(client, `${CLUSTER_NS}:sessions:*`);
    console.log(`# 30 sessions per master: ${JSON.stringify([...perMaster.values()])}`);
    assert.equal(
      [...perMaster.values()].reduce((x, y) => x + y, 0),
      30,
    );
    assert.ok([...perMaster.values()].filter((n) => n > 0).length > 1, 'on more than one master');

    // Read-your-writes through the other node, for every session.
    for (const [i, token] of tokens.entries()) {
      assert.equal((await request(b!.manager, token)).session.get('n'), i);
    }
    // No lost update: 40 concurrent increments of one attribute through two nodes.
    const token = tokens[0] as string;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        request(i % 2 ? a!.manager : b!.manager, token, (s) =>
          s.update<number>('count', (n = 0) => n + 1),
        ),
      ),
    );
    assert.equal((await request(a!.manager, token)).session.get('count'), 40);
  });

  it('changeId() across slots keeps data and TTL; the old token is dead afterwards', async () => {
    const [a] = await startNodes(1, false);
    const first = await request(a!.manager, undefined, (s) => s.set('cart', ['apple']));
    const renamed = await request(a!.manager, first.token, (s) => s.changeId());
    const oldKey = `${CLUSTER_NS}:sessions:{${sessionIdOf(first.token as string)}}`;
    const newKey = `${CLUSTER_NS}:sessions:{${sessionIdOf(renamed.token as string)}}`;
    console.log(
      `# old key on :${await masterOf(client, oldKey)}, new key on :${await masterOf(client, newKey)}`,
    );
    assert.notEqual(
      await client.call('CLUSTER', 'KEYSLOT', oldKey),
      await client.call('CLUSTER', 'KEYSLOT', newKey),
    );
    assert.equal(await client.exists(oldKey), 0);
    assert.ok((await client.pttl(newKey)) > 0);
    assert.equal(await client.hexists(newKey, 'movedTo'), 0);
    assert.deepEqual((await request(a!.manager, renamed.token)).session.get('cart'), ['apple']);
    const stale = await request(a!.manager, first.token);
    assert.equal(stale.session.isNew, true, 'the old token resolves to nothing');
  });

  it('changeId(): a concurrent reader never finds the session missing, and writes to the old key are refused meanwhile', async () => {
    const store = new ValkeySessionStore(client, CLUSTER_NS, new RecordingLogger());
    let id = 'cluster-move-0';
    await store.saveDelta(
      id,
      delta({ set: new Map([['a:x', '"1"']]), create: { createdAt: 1, now: 1 } }),
    );
    let moving = true;
    let reads = 0;
    let missing = 0;
    const current = { id };
    const reader = (async () => {
      while (moving) {
        const { id: from } = current;
        const to = `${from}-next`;
        // New key first, then old: with copy-then-delete one of the two reads must find it.
        const [inNew, inOld] = [
          await client.exists(store.keys.sessionKey(to)),
          await client.exists(store.keys.sessionKey(from)),
        ];
        reads++;
        if (inNew === 0 && inOld === 0 && current.id === from) missing++;
      }
    })();
    const renames = 40;
    for (let i = 0; i < renames; i++) {
      const next = `${id}-next`;
      assert.equal(await store.rename(id, next, delta()), true);
      id = next;
      current.id = id;
    }
    moving = false;
    await reader;
    console.log(
      `# ${renames} cross-slot renames, ${reads} concurrent reads, missing ${missing} times`,
    );
    assert.equal(missing, 0);
    assert.ok(reads > renames, 'the reader ran during the renames');

    // A write to a session that is being moved is refused (it would be lost by the copy).
    const key = store.keys.sessionKey(id);
    await client.hset(key, 'movedTo', 'elsewhere');
    assert.equal(await store.saveDelta(id, delta({ set: new Map([['a:y', '"2"']]) })), false);
    assert.equal((await store.compareAndSet(id, 'y', undefined, '"2"', 60_000)).outcome, 'gone');
    assert.equal(await store.rename(id, `${id}-again`, delta()), false, 'one move at a time');
    assert.ok(await store.loadAndTouch(id, Date.now()), 'still readable while it moves');
  });

  it('indexed: auto-configures every master, finds, revokes and limits across slots', async () => {
    const [a, b] = await startNodes(2, { maxSessionsPerPrincipal: 3 });
    for (const node of client.nodes('master')) {
      const [, flags] = (await node.config('GET', 'notify-keyspace-events')) as string[];
      assert.match(flags ?? '', /E/, `notify-keyspace-events on :${node.options.port}`);
      assert.match(flags ?? '', /x/);
    }
    const seen = record([a!, b!]);
    // 10 racing logins through two nodes under a limit of 3: the 3 most recent survive.
    const logins = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        login(i % 2 ? a!.manager : b!.manager, undefined, 'alice'),
      ),
    );
    const found = await a!.manager.index.findByPrincipal('alice', { attributes: ['user'] });
    assert.equal(found.length, 3, 'exactly the limit once every login is done');
    assert.ok(found.every((s) => s.attributes.user === 'alice'));
    const alive = logins.filter((l) => found.some((s) => s.id === sessionIdOf(l.token as string)));
    assert.equal(alive.length, 3);

    // Revoke one by its handle, then every other one.
    const [keep, drop] = found;
    assert.equal(await b!.manager.index.revoke('bob', drop!.id), false, 'not bob’s session');
    assert.equal(await b!.manager.index.revoke('alice', drop!.id), true);
    assert.equal(await a!.manager.index.revokeAllExcept('alice', keep!.id), 1);
    assert.deepEqual(
      (await a!.manager.index.findByPrincipal('alice')).map((s) => s.id),
      [keep!.id],
    );
    // Index keys share one slot; nothing of the evicted / revoked sessions is left in them.
    const indexKeys = await client
      .nodes('master')
      .reduce(
        async (all, node) => [...(await all), ...(await node.keys(`${CLUSTER_NS}:{index}:*`))],
        Promise.resolve([] as string[]),
      );
    console.log(`# index keys: ${indexKeys.sort().join(' ')}`);
    assert.equal(new Set(await Promise.all(indexKeys.map((k) => masterOf(client, k)))).size, 1);
    assert.deepEqual(await client.zrange(`${CLUSTER_NS}:{index}:principals:alice`, '0', '-1'), [
      keep!.id,
    ]);

    await waitFor(
      '10 created, 9 deleted events',
      () =>
        seen.filter((e) => e.type === 'created').length === 10 &&
        seen.filter((e) => e.type === 'deleted').length === 9,
    );
    const reasons = seen
      .filter((e) => e.type === 'deleted')
      .map((e) => (e as { reason: string }).reason);
    assert.equal(reasons.filter((r) => r === 'evicted').length, 7);
    assert.equal(reasons.filter((r) => r === 'revoked').length, 2);
    for (const { token } of logins) {
      const id = sessionIdOf(token as string);
      assert.equal(countOf(seen, 'created', id), 1, 'created once');
    }
  });

  it('indexed: expired once for sessions on every master, from the per-master notifications alone', async () => {
    // The periodic sweep is off (60 s): only the notifications of all three masters settle these.
    const ttl = 1_000;
    const [a, b] = await startNodes(2, {}, ttl);
    const seen = record([a!, b!]);
    const tokens = await Promise.all(
      Array.from({ length: 12 }, () => request(a!.manager, undefined, (s) => s.set('x', 1))),
    );
    const ids = tokens.map((t) => sessionIdOf(t.token as string));
    const masters = new Set(
      await Promise.all(ids.map((id) => masterOf(client, `${CLUSTER_NS}:sessions:{${id}}`))),
    );
    assert.equal(masters.size, 3, 'sessions on all three masters');
    const started = Date.now();
    await waitFor(
      '12 expired events',
      () => seen.filter((e) => e.type === 'expired').length >= 12,
      15_000,
    );
    console.log(
      `# 12 sessions on 3 masters expired; all events within ${Date.now() - started} ms of the TTL start`,
    );
    for (const id of ids) {
      assert.equal(countOf(seen, 'created', id), 1);
      assert.equal(countOf(seen, 'expired', id), 1, 'expired once');
    }
    assert.equal(await client.zcard(`${CLUSTER_NS}:{index}:expirations`), 0, 'ledger settled');
  });

  it('indexed: the sweep settles expiries nobody was notified of, and logins are indexed across slots', async () => {
    const [a] = await startNodes(1, {}, 60_000);
    const seen = record([a!]);
    const { token } = await login(a!.manager, undefined, 'carol');
    const id = sessionIdOf(token as string);
    assert.equal((await a!.manager.index.findByPrincipal('carol'))[0]?.id, id);
    // The hash vanishes without a notification (DEL is not an expiry): only the sweep sees it.
    await client.zadd(`${CLUSTER_NS}:{index}:expirations`, 1, id);
    await client.del(`${CLUSTER_NS}:sessions:{${id}}`);
    assert.equal(await a!.manager.sweep(), 1);
    assert.equal(await a!.manager.sweep(), 0, 'settled once');
    await waitFor('expired', () => countOf(seen, 'expired', id) === 1);
    assert.deepEqual(await a!.manager.index.findByPrincipal('carol'), []);
    assert.equal(await client.exists(`${CLUSTER_NS}:{index}:principals:carol`), 0);
  });
});
