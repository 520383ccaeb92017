import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { ValkeyProcess } from '@baton/valkey-testing';
import {
  type NearCachedSessionStore,
  SessionManager,
  SessionStoreUnavailableError,
  createValkeyClient,
  sessionIdOf,
  waitUntilReady,
} from '../../src/core/index.js';
import { RecordingLogger, startValkey } from './harness.js';

/**
 * Two "nodes" (two managers, each with its own connections and its own near cache) share one
 * session, as two replicas behind a round-robin balancer do. A read is stale when it returns a
 * version older than the last write acknowledged before the read started.
 */

class Headers {
  readonly values = new Map<string, unknown>();
  getHeader(name: string) {
    return this.values.get(name.toLowerCase()) as string | string[] | undefined;
  }
  setHeader(name: string, value: unknown) {
    this.values.set(name.toLowerCase(), value);
  }
}

interface Node {
  name: string;
  client: Redis;
  manager: SessionManager;
  cache: NearCachedSessionStore;
}

const NS = 'nc';
const byToken = (token: string) => ({ headers: { 'x-auth-token': token } });

async function startNode(
  url: string,
  name: string,
  maxInactiveIntervalMs = 600_000,
  touchIntervalMs = 60_000,
): Promise<Node> {
  const client = createValkeyClient({ url, commandTimeoutMs: 2_000, connectionName: name });
  await waitUntilReady(client);
  const manager = new SessionManager({
    client,
    namespace: NS,
    resolver: 'header',
    maxInactiveIntervalMs,
    logger: new RecordingLogger(),
    nearCache: { touchIntervalMs },
  });
  await manager.ready();
  return { name, client, manager, cache: manager.nearCache as NearCachedSessionStore };
}

async function stopNode(node: Node | undefined): Promise<void> {
  if (!node) return;
  await node.manager.close();
  node.client.disconnect();
}

/** Creates the shared session on `node`; resolves its token. */
async function create(node: Node): Promise<string> {
  const opened = await node.manager.open({ headers: {} });
  opened.session.set('version', 0);
  const res = new Headers();
  await opened.commit(res);
  return res.values.get('x-auth-token') as string;
}

/** One request that writes `version`; resolves once Valkey acknowledged it. */
async function write(node: Node, token: string, version: number): Promise<void> {
  const opened = await node.manager.open(byToken(token));
  opened.session.set('version', version);
  await opened.commit(new Headers());
}

/** One request that reads `version`; -1 when the session did not resolve. */
async function read(node: Node, token: string): Promise<number> {
  const opened = await node.manager.open(byToken(token));
  return opened.session.isNew ? -1 : (opened.session.get<number>('version') ?? -1);
}

function hitRate(nodes: Node[]): string {
  let hits = 0;
  let reads = 0;
  for (const { cache } of nodes) {
    const s = cache.stats();
    hits += s.hits;
    reads += s.hits + s.misses + s.bypassed;
  }
  return `${hits}/${reads} reads from memory (${((100 * hits) / Math.max(reads, 1)).toFixed(1)}%)`;
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The Valkey client id of one of a node's near-cache connections, by its CLIENT SETNAME. */
async function clientId(admin: Redis, name: string): Promise<string> {
  const list = (await admin.client('LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  assert.ok(line, `no connection named ${name}`);
  return /(?:^|\s)id=(\d+)/.exec(line)?.[1] as string;
}

describe('near cache against a real valkey-server', () => {
  let valkey: ValkeyProcess;
  let admin: Redis;
  const nodes: Node[] = [];

  before(async () => {
    ({ valkey, client: admin } = await startValkey());
  });
  after(async () => {
    for (const node of nodes) await stopNode(node);
    admin?.disconnect();
    await valkey?.dispose();
  });

  async function pair(maxInactiveMs?: number, touchMs?: number): Promise<[Node, Node]> {
    const a = await startNode(valkey.url, `node-a-${nodes.length}`, maxInactiveMs, touchMs);
    const b = await startNode(valkey.url, `node-b-${nodes.length}`, maxInactiveMs, touchMs);
    nodes.push(a, b);
    return [a, b];
  }

  it('two nodes writing and reading one session: no stale read once invalidations are in', async () => {
    const [a, b] = await pair();
    const token = await create(a);
    const rounds = 200;
    let stale = 0;
    let ownStale = 0;
    for (let version = 1; version <= rounds; version++) {
      const [writer, other] = version % 2 === 1 ? [a, b] : [b, a];
      await write(writer, token, version);
      // Read-your-writes on the node that wrote: it dropped its own entry, no wait needed.
      if ((await read(writer, token)) < version) ownStale++;
      // Either node, three reads each: the first one after a change misses, the next ones hit.
      for (const node of [other, writer, other, writer, other, writer]) {
        await node.cache.sync();
        if ((await read(node, token)) < version) stale++;
      }
    }
    console.log(
      `near cache, ${rounds} writes alternating between 2 nodes, reader syncs first: ` +
        `${stale} stale reads, ${ownStale} stale own reads; ${hitRate([a, b])}`,
    );
    assert.equal(ownStale, 0);
    assert.equal(stale, 0);
    // The cache was in use: without hits this test would prove nothing about invalidation.
    assert.ok(a.cache.stats().hits > rounds && b.cache.stats().hits > rounds);
  });

  it('without waiting, a stale read is corrected once the invalidation arrives', async () => {
    const [a, b] = await pair();
    const token = await create(a);
    const rounds = 300;
    let stale = 0;
    const windows: number[] = [];
    for (let version = 1; version <= rounds; version++) {
      const [writer, other] = version % 2 === 1 ? [a, b] : [b, a];
      await read(other, token); // make sure the other node holds the old version
      await write(writer, token, version);
      const started = performance.now();
      if ((await read(other, token)) >= version) continue;
      stale++;
      // Stale: the invalidation is still on its way. It must arrive: poll without a round trip.
      while ((await read(other, token)) < version) {
        if (performance.now() - started > 5_000) {
          assert.fail(`version ${version} never reached ${other.name}: invalidation lost`);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      windows.push(performance.now() - started);
    }
    windows.sort((x, y) => x - y);
    const median = windows[Math.floor(windows.length / 2)] ?? 0;
    console.log(
      `near cache, ${rounds} write-then-read-on-the-other-node pairs in one process, no wait: ` +
        `${stale} stale reads (${((100 * stale) / rounds).toFixed(1)}%), corrected after ` +
        `${median.toFixed(2)} ms (median), ${(windows.at(-1) ?? 0).toFixed(2)} ms (max); ` +
        hitRate([a, b]),
    );
    assert.ok(a.cache.stats().hits + b.cache.stats().hits >= rounds, 'the cache served reads');
  });

  for (const connection of ['near-cache-invalidations', 'near-cache-reads']) {
    it(`flushes when its ${connection} connection is killed, so a change missed meanwhile is not served`, async () => {
      const [a, b] = await pair();
      const token = await create(a);
      await read(b, token);
      assert.equal(await read(b, token), 0);
      const before = b.cache.stats();
      assert.ok(before.hits >= 1, 'b serves the session from memory');

      await admin.client('KILL', 'ID', await clientId(admin, `${b.name}:${connection}`));
      // Valkey has dropped the connection: this write's invalidation reaches nobody on b.
      await write(a, token, 1);
      await until(() => b.cache.stats().flushes > before.flushes, 'b to notice the disconnect');
      await until(() => b.cache.active, 'b to arm tracking again');

      assert.equal(await read(b, token), 1, 'no stale read after the reconnect');
      // And invalidation works again on the new connections.
      assert.equal(await read(b, token), 1);
      const hits = b.cache.stats().hits;
      await write(a, token, 2);
      await b.cache.sync();
      assert.equal(await read(b, token), 2);
      assert.equal(await read(b, token), 2);
      assert.ok(b.cache.stats().hits > hits, 'served from memory again');
    });
  }

  it('slides the expiry while the session is read from memory, and lets it expire when idle', async () => {
    // maxInactive 2 s, so the touch interval is capped at 500 ms.
    const [a, b] = await pair(2_000, 60_000);
    const token = await create(a);
    const key = `${NS}:sessions:{${sessionIdOf(token)}}`;
    const stopAt = Date.now() + 5_000;
    let reads = 0;
    while (Date.now() < stopAt) {
      assert.equal(
        await read(b, token),
        0,
        `the session expired while in use after ${reads} reads`,
      );
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const stats = b.cache.stats();
    console.log(
      `near cache, one session read every 50 ms for 5 s with maxInactive 2 s: ${stats.hits} of ` +
        `${reads} reads from memory, TTL left ${await admin.pttl(key)} ms`,
    );
    assert.ok(stats.hits > reads / 2, 'most reads were served from memory');
    assert.ok((await admin.pttl(key)) > 0);
    await until(async () => (await admin.exists(key)) === 0, 'the idle session to expire');
    assert.equal(await read(b, token), -1, 'an idle session still expires');
  });

  it('serves a hung Valkey for at most the touch interval, then answers 503', async () => {
    const [a, b] = await pair(600_000, 1_000);
    const token = await create(a);
    await read(b, token);
    const pid = valkey.pid as number;
    process.kill(pid, 'SIGSTOP'); // hung, not gone: no connection closes, nothing is flushed
    const stopped = performance.now();
    let served = 0;
    try {
      for (;;) {
        try {
          assert.equal(await read(b, token), 0);
          served++;
        } catch (err) {
          assert.ok(err instanceof SessionStoreUnavailableError, String(err));
          break;
        }
        assert.ok(performance.now() - stopped < 10_000, 'still served from memory after 10 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    console.log(
      `near cache, Valkey hung (SIGSTOP), touch interval 1 s: ${served} reads served from memory, ` +
        `then 503 after ${Math.round(performance.now() - stopped)} ms`,
    );
  });
});
