import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { ValkeyProcess } from '@baton/valkey-testing';
import {
  type SessionEvent,
  type SessionManager,
  createValkeyClient,
  sessionIdOf,
  waitUntilReady,
} from '../../src/core/index.js';
import { startValkey } from './harness.js';
import { NS, type Node, login, request, sleep, startNode, waitFor } from './indexed-harness.js';

/** Every event each node's listeners saw, by node. */
function record(nodes: Node[]): SessionEvent[][] {
  return nodes.map((node) => {
    const seen: SessionEvent[] = [];
    node.manager.events
      .on('created', (e) => void seen.push(e))
      .on('deleted', (e) => void seen.push(e))
      .on('expired', (e) => void seen.push(e));
    return seen;
  });
}

/** How many times each session id got an event of `type`, over all nodes. */
function countsOf(seen: SessionEvent[][], type: SessionEvent['type']): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of seen.flat().filter((e) => e.type === type)) {
    counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
  }
  return counts;
}

describe('indexed mode: session events against a real valkey-server', () => {
  let valkey: ValkeyProcess;
  let client: Redis;
  let nodes: Node[] = [];

  async function startNodes(count: number, indexed = {}, maxInactiveIntervalMs?: number) {
    const started = await Promise.all(
      Array.from({ length: count }, () => startNode(valkey.url, indexed, maxInactiveIntervalMs)),
    );
    nodes.push(...started);
    await Promise.all(started.map((n) => n.manager.ready()));
    return started;
  }

  before(async () => {
    ({ valkey, client } = await startValkey());
  });
  after(async () => {
    client?.disconnect();
    await valkey?.dispose();
  });
  beforeEach(async () => {
    await client.flushall();
  });
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
  });

  it('handles created, deleted and expired exactly once per session across two nodes', async () => {
    const N = 20;
    const two = await startNodes(2, {}, 60_000);
    const seen = record(two);
    const managers = two.map((n) => n.manager);
    const sessions = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        request(managers[i % 2] as SessionManager, undefined, (s) => {
          if (i >= N / 2) s.maxInactiveIntervalMs = 300; // these will expire
          s.set('n', i);
          if (i % 3 === 0) s.setPrincipal(`user-${i}`);
        }),
      ),
    );
    // Half are logged out, on the other node than the one that created them.
    await Promise.all(
      sessions
        .slice(0, N / 2)
        .map(({ token }, i) =>
          request(managers[(i + 1) % 2] as SessionManager, token, (s) => s.invalidate()),
        ),
    );
    await waitFor('every event', () => seen.flat().length >= 2 * N, 5_000);
    await sleep(300); // a duplicate would arrive now

    const ids = sessions.map(({ session }) => session.id);
    const created = countsOf(seen, 'created');
    const deleted = countsOf(seen, 'deleted');
    const expired = countsOf(seen, 'expired');
    assert.deepEqual([...created.keys()].sort(), [...ids].sort());
    assert.deepEqual([...deleted.keys()].sort(), ids.slice(0, N / 2).sort());
    assert.deepEqual([...expired.keys()].sort(), ids.slice(N / 2).sort());
    for (const counts of [created, deleted, expired]) {
      assert.ok(
        [...counts.values()].every((n) => n === 1),
        'an event was handled twice',
      );
    }
    const byId = new Map(seen.flat().map((e) => [`${e.type}:${e.id}`, e]));
    assert.equal(byId.get(`created:${ids[0]}`)?.principal, 'user-0');
    const deletedEvent = byId.get(`deleted:${ids[3]}`);
    assert.equal(deletedEvent?.type === 'deleted' && deletedEvent.reason, 'invalidated');
    assert.equal(deletedEvent?.principal, 'user-3');
    assert.equal(byId.get(`expired:${ids[12]}`)?.principal, 'user-12');
    console.log(
      `# ${N} sessions, 2 nodes: node 1 handled ${seen[0]?.length}, node 2 ${seen[1]?.length}, each event once`,
    );
  });

  it('fires expired, once, for sessions that expired while every node was down', async () => {
    const [first, second] = await startNodes(2, {}, 300);
    const sessions = await Promise.all(
      [first, second, first, second, first].map((node) =>
        login((node as Node).manager, undefined, 'alice'),
      ),
    );
    const ids = sessions.map(({ token }) => sessionIdOf(token as string));
    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
    await sleep(600); // they expire; the notifications reach no one

    const [third] = await startNodes(1);
    const seen = record([third as Node]);
    await waitFor('five expired events', () => countsOf(seen, 'expired').size === 5);
    await sleep(200);
    const expired = countsOf(seen, 'expired');
    assert.deepEqual([...expired.keys()].sort(), [...ids].sort());
    assert.ok([...expired.values()].every((n) => n === 1));
    assert.ok(seen[0]?.every((e) => e.principal === 'alice'));
    assert.equal(await client.exists(`${NS}:principals:alice`), 0, 'the index is empty');
    assert.equal(await client.zcard(`${NS}:expirations`), 0);
  });

  it('announces evictions under maxSessionsPerPrincipal as deleted, reason evicted', async () => {
    const [node] = await startNodes(1, { maxSessionsPerPrincipal: 1 });
    const seen = record([node as Node]);
    const first = await login((node as Node).manager, undefined, 'alice');
    await login((node as Node).manager, undefined, 'alice');
    await waitFor('the eviction', () => countsOf(seen, 'deleted').size === 1);
    const evicted = seen[0]?.find((e) => e.type === 'deleted');
    assert.equal(evicted?.id, sessionIdOf(first.token as string));
    assert.equal(evicted?.type === 'deleted' && evicted.reason, 'evicted');
  });

  it('hands an event a crashed node never acknowledged to another node after claimIdleMs', async () => {
    const [crashing] = await startNodes(1, { claimIdleMs: 400 });
    let release: () => void = () => {};
    const stuck = new Promise<void>((resolve) => (release = resolve));
    let taken = 0;
    (crashing as Node).manager.events.on('created', () => {
      taken++;
      return stuck; // the node "dies" inside its listener
    });
    await request((crashing as Node).manager, undefined, (s) => s.set('n', 1));
    await waitFor('the first node to take the event', () => taken === 1);

    const [healthy] = await startNodes(1, { claimIdleMs: 400 });
    const seen = record([healthy as Node]);
    await waitFor('the claim', () => countsOf(seen, 'created').size === 1, 3_000);
    release();
    console.log('# an unacknowledged event was redelivered to the other node: at-least-once');
  });

  it('without any notification, the sweep alone records expired within sweepIntervalMs', async () => {
    const silent = await ValkeyProcess.start({ args: ['--notify-keyspace-events', ''] });
    try {
      const node = await startNode(
        silent.url,
        { configureAction: 'none', sweepIntervalMs: 200 },
        300,
      );
      nodes.push(node);
      await node.manager.ready();
      const seen = record([node]);
      const { session } = await request(node.manager, undefined, (s) => s.set('n', 1));
      const expiresAt = Date.now() + 300;
      await waitFor('the expired event', () => countsOf(seen, 'expired').has(session.id), 3_000);
      const late = Date.now() - expiresAt;
      assert.ok(late < 1_000, `${late} ms after the expiry`);
      console.log(`# notifications off: expired recorded by the sweep ${late} ms after the expiry`);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      nodes = [];
      await silent.dispose();
    }
  });

  it("configureAction 'auto' sets notify-keyspace-events at start and again after a Valkey restart", async () => {
    const bare = await ValkeyProcess.start({ args: ['--notify-keyspace-events', ''] });
    const admin = createValkeyClient({ url: bare.url, commandTimeoutMs: 2_000 });
    try {
      await waitUntilReady(admin);
      const flags = async () =>
        ((await admin.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '';
      assert.equal(await flags(), '');
      const [node] = [await startNode(bare.url, { configureAction: 'auto' })];
      nodes.push(node as Node);
      await node?.manager.ready();
      assert.deepEqual([...(await flags())].sort(), ['E', 'g', 'x']);

      await bare.restart(); // comes back with the flags of its command line: none
      await waitUntilReady(admin, 5_000);
      await waitFor(
        'the flags again after the restart',
        async () => (await flags().catch(() => '')).length === 3,
        5_000,
      );
      assert.deepEqual([...(await flags())].sort(), ['E', 'g', 'x']);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      nodes = [];
      admin.disconnect();
      await bare.dispose();
    }
  });

  it("configureAction 'none' never sends CONFIG (an ACL that forbids it logs no attempt)", async () => {
    // MONITOR does not show admin commands such as CONFIG; the ACL log records every refusal.
    await client.acl('SETUSER', 'app', 'on', '>secret', '~*', '&*', '+@all', '-config');
    await client.acl('LOG', 'RESET');
    const asApp = valkey.url.replace('redis://', 'redis://app:secret@');
    const managed = await startNode(asApp, { configureAction: 'none' });
    nodes.push(managed);
    await managed.manager.ready();
    await request(managed.manager, undefined, (s) => s.set('n', 1));
    await managed.manager.sweep();
    assert.deepEqual(await client.acl('LOG'), [], "'none' attempted a command it may not run");

    // The same server with 'auto': the attempt is refused, logged once, and the node works on.
    const refused = await startNode(asApp, { configureAction: 'auto' });
    nodes.push(refused);
    await refused.manager.ready();
    assert.match(JSON.stringify(await client.acl('LOG')), /config/);
    assert.ok(refused.logger.warnings.some((w) => w.msg.includes('notify-keyspace-events')));
    assert.equal(
      (await request(refused.manager, undefined, (s) => s.set('n', 1))).session.isNew,
      true,
    );
    await client.acl('DELUSER', 'app');
  });

  it("configureAction 'auto' adds Egx to flags someone else set, keeping theirs", async () => {
    await client.config('SET', 'notify-keyspace-events', 'Kh');
    try {
      await startNodes(1, { configureAction: 'auto' });
      const flags = ((await client.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '';
      assert.deepEqual([...flags].sort(), ['E', 'K', 'g', 'h', 'x']);
    } finally {
      await client.config('SET', 'notify-keyspace-events', 'Egx');
    }
  });

  it('close() leaves nothing running: the node leaves the group and its connections end', async () => {
    const [node] = await startNodes(1);
    (node as Node).manager.events.on('created', () => {});
    await request((node as Node).manager, undefined, (s) => s.set('n', 1));
    await sleep(100);
    const before = (await client.client('LIST')) as string;
    assert.match(before, /name=\S*:events/);
    await (node as Node).stop();
    nodes = [];
    await sleep(100);
    const consumers = (await client.xinfo('CONSUMERS', `${NS}:events`, 'baton')) as unknown[];
    assert.equal(consumers.length, 0);
    const list = (await client.client('LIST')) as string;
    assert.equal(list.trim().split('\n').length, 1, `still connected:\n${list}`);
  });
});
