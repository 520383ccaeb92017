import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { ValkeySentinelGroup } from '@baton/valkey-testing';
import {
  type Session,
  SessionManager,
  SessionNotReplicatedError,
  type SessionObserver,
  type SessionOptions,
  type StoreOperation,
  createValkeyClient,
  sessionIdOf,
  waitUntilReady,
} from '../../src/core/index.js';
import { type HttpClient, RecordingLogger, cookiePair, demoApp, listen } from './harness.js';

const NS = 'durable';
const run = promisify(execFile);

/** How many WAITs the server has run so far (INFO commandstats), straight from the server. */
async function waitCalls(port: number): Promise<number> {
  const { stdout } = await run('valkey-cli', ['-p', String(port), 'INFO', 'commandstats']);
  return Number(/^cmdstat_wait:calls=(\d+)/m.exec(stdout)?.[1] ?? 0);
}

/** A response that only keeps headers: what `OpenSession.commit` writes the token to. */
function headersOnly() {
  const headers = new Map<string, unknown>();
  return {
    getHeader: (name: string) => headers.get(name.toLowerCase()) as string | undefined,
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), value),
  };
}

class CountingObserver implements SessionObserver {
  readonly calls: string[] = [];
  onStoreCall(op: StoreOperation, _ms: number, outcome: string): void {
    this.calls.push(`${op}:${outcome}`);
  }
}

describe('durableWrites against a real primary, replica and sentinels', () => {
  let group: ValkeySentinelGroup;
  let client: Redis;
  const servers: HttpClient[] = [];

  async function app(durableWrites: object | undefined, observer?: SessionObserver) {
    const logger = new RecordingLogger();
    const http = await listen(
      demoApp({
        client,
        namespace: NS,
        cookie: { secure: false },
        logger,
        ...(observer ? { observer } : {}),
        ...(durableWrites ? { durableWrites } : {}),
      }),
    );
    servers.push(http);
    return { http, logger };
  }

  before(async () => {
    group = await ValkeySentinelGroup.start();
    client = createValkeyClient({
      sentinels: group.sentinels,
      sentinelName: group.name,
      commandTimeoutMs: 2_000,
    });
    await waitUntilReady(client);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    client?.disconnect();
    await group?.dispose();
  });

  it('sends no WAIT when the option is off', async () => {
    const observer = new CountingObserver();
    const { http } = await app(undefined, observer);
    const before = await waitCalls(group.primary.port);
    const res = await http.request('/cart/apple', { method: 'POST' });
    assert.equal(res.status, 200);
    assert.equal(await waitCalls(group.primary.port), before);
    assert.ok(!observer.calls.some((c) => c.startsWith('replicate')));
  });

  it('answers only once the replica holds the write', async () => {
    const observer = new CountingObserver();
    const { http } = await app({ replicas: 1, timeoutMs: 1_000 }, observer);
    const before = await waitCalls(group.primary.port);
    const created = await http.request('/cart/apple', { method: 'POST' });
    assert.equal(created.status, 200);
    const cookie = cookiePair(created) as string;
    const added = await http.request('/cart/pear', { method: 'POST', cookie });
    assert.equal(added.status, 200);
    assert.equal(await waitCalls(group.primary.port), before + 2, 'one WAIT per write');
    assert.deepEqual(
      observer.calls.filter((c) => c.startsWith('replicate')),
      ['replicate:ok', 'replicate:ok'],
    );
    // Read the replica directly, right after the response: the write is already there.
    const id = sessionIdOf(cookie.split('=')[1] as string);
    const { stdout } = await run('valkey-cli', [
      '-p',
      String(group.replica.port),
      'HGET',
      `${NS}:sessions:{${id}}`,
      'a:cart',
    ]);
    assert.equal(stdout.trim(), '["apple","pear"]');
    const read = await http.request('/cart', { cookie });
    assert.equal(await waitCalls(group.primary.port), before + 2, 'a read sends no WAIT');
    assert.deepEqual(await read.json(), { cart: ['apple', 'pear'] });
  });

  it('with the replica stopped: 503 SESSION_NOT_REPLICATED (fail) or a warning and 200 (warn)', async () => {
    const failing = await app({ replicas: 1, timeoutMs: 100 });
    const warning = await app({ replicas: 1, timeoutMs: 100, onTimeout: 'warn' });
    await group.replica.stop();
    try {
      const refused = await failing.http.request('/cart/apple', { method: 'POST' });
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      const body = (await refused.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'SESSION_NOT_REPLICATED');
      assert.match(body.error.message, /0 of 1 replicas/);

      const accepted = await warning.http.request('/cart/apple', { method: 'POST' });
      assert.equal(accepted.status, 200);
      assert.deepEqual(
        warning.logger.warnings.map((w) => (w.obj as { code?: string }).code),
        ['SESSION_NOT_REPLICATED'],
      );
    } finally {
      await group.restoreReplica();
    }
    const again = await failing.http.request('/cart/apple', { method: 'POST' });
    assert.equal(again.status, 200, 'writes are accepted again once the replica is back');
  });

  it('a primary short of replicas (min-replicas-to-write): 503 SESSION_STORE_UNAVAILABLE for reads and writes, nothing applied', async () => {
    // What the stack's durable Sentinel data nodes run with: a primary that restarts alone during
    // a failover must not take writes that its demotion will throw away (chaos/README.md).
    const { http } = await app({ replicas: 1, timeoutMs: 100 });
    const created = await http.request('/cart/apple', { method: 'POST' });
    assert.equal(created.status, 200);
    const cookie = cookiePair(created) as string;
    const primary = String(group.primary.port);
    await run('valkey-cli', ['-p', primary, 'CONFIG', 'SET', 'min-replicas-to-write', '1']);
    await group.replica.stop();
    try {
      for (const [path, method] of [
        ['/cart/pear', 'POST'],
        ['/cart', 'GET'],
      ] as const) {
        const refused = await http.request(path, { method, cookie });
        assert.equal(refused.status, 503, `${method} ${path}`);
        assert.equal(refused.headers.get('retry-after'), '1');
        const body = (await refused.json()) as { error: { code: string } };
        assert.equal(body.error.code, 'SESSION_STORE_UNAVAILABLE');
      }
    } finally {
      await run('valkey-cli', ['-p', primary, 'CONFIG', 'SET', 'min-replicas-to-write', '0']);
      await group.restoreReplica();
    }
    const read = await http.request('/cart', { cookie });
    assert.deepEqual(await read.json(), { cart: ['apple'] }, 'the refused add was not applied');
  });

  it('a WAIT cut by a reconnect is not confirmed by its resend on the new connection', async () => {
    // What the Sentinel chaos soak met: Sentinel's CLIENT KILL cut a WAIT that was blocked, and
    // ioredis resent it on the new connection. There it answers at once with every replica,
    // because that connection never wrote: a write no replica holds was answered as replicated.
    const base: SessionOptions = { client, namespace: NS, resolver: 'header' };
    const created = await new SessionManager(base).open({ headers: {} });
    created.session.set('cart', ['apple']);
    const res = headersOnly();
    await created.commit(res);
    const request = { headers: { 'x-auth-token': res.getHeader('x-auth-token') as string } };

    const conn = createValkeyClient({
      sentinels: group.sentinels,
      sentinelName: group.name,
      commandTimeoutMs: 5_000,
    });
    await waitUntilReady(conn);
    const durable = new SessionManager({
      ...base,
      client: conn,
      durableWrites: { timeoutMs: 3_000 },
    });
    await durable.ready();
    const replicaPid = group.replica.pid as number;
    try {
      const session = (await durable.open(request)).session;
      const connectionId = String(await conn.client('ID'));
      process.kill(replicaPid, 'SIGSTOP'); // connected, acknowledging nothing: WAIT blocks
      const updated = session.update<string[]>('cart', (c = []) => [...c, 'pear']);
      const outcome = updated.then(
        () => 'confirmed',
        (err: unknown) => err,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await run('valkey-cli', [
        '-p',
        String(group.primary.port),
        'CLIENT',
        'KILL',
        'ID',
        connectionId,
      ]);
      const settled = await outcome;
      console.log(`WAIT cut by CLIENT KILL: ${settled instanceof Error ? settled.name : settled}`);
      assert.ok(
        settled instanceof SessionNotReplicatedError,
        `expected 503, got ${String(settled)}`,
      );
    } finally {
      process.kill(replicaPid, 'SIGCONT');
      await durable.close();
      conn.disconnect();
    }
  });

  it('confirmDurable(): an answer built from a read waits for replicas too, near-cache hit included', async () => {
    const base: SessionOptions = { client, namespace: NS, resolver: 'header' };
    const plain = new SessionManager(base);
    const created = await plain.open({ headers: {} });
    created.session.set('cart', ['apple']);
    const res = headersOnly();
    await created.commit(res);
    const token = res.getHeader('x-auth-token') as string;
    const request = { headers: { 'x-auth-token': token } };

    // Without durableWrites it is free: no WAIT, no touch.
    const beforeWaits = await waitCalls(group.primary.port);
    await (await plain.open(request)).session.confirmDurable();
    assert.equal(await waitCalls(group.primary.port), beforeWaits);

    // Each reader has its own new connection, as another node would: one that never wrote, so a
    // bare WAIT on it would return at once. That is what the touch before the WAIT is for.
    const readers: { manager: SessionManager; conn: Redis }[] = [];
    const reader = async (options: Partial<SessionOptions>, logger = new RecordingLogger()) => {
      const conn = createValkeyClient({
        sentinels: group.sentinels,
        sentinelName: group.name,
        commandTimeoutMs: 2_000,
      });
      await waitUntilReady(conn);
      const manager = new SessionManager({ ...base, client: conn, logger, ...options });
      readers.push({ manager, conn });
      await manager.ready();
      return manager;
    };
    try {
      const failing = await reader({ durableWrites: { timeoutMs: 100 } });
      const cached = await reader({ durableWrites: { timeoutMs: 100 }, nearCache: true });
      const warnLogger = new RecordingLogger();
      const warning = await reader(
        { durableWrites: { timeoutMs: 100, onTimeout: 'warn' } },
        warnLogger,
      );
      const opened = async (manager: SessionManager): Promise<Session> =>
        (await manager.open(request)).session;

      // A lagging replica: SIGSTOP keeps it connected (a stopped one would count as no replica at
      // all), acknowledging nothing from now on.
      const replicaPid = group.replica.pid as number;
      process.kill(replicaPid, 'SIGSTOP');
      try {
        // A write no WAIT confirmed (as after a 503 SESSION_NOT_REPLICATED): on the primary only.
        await (await opened(plain)).update<string[]>('cart', (c = []) => [...c, 'pear']);

        const loaded = await opened(failing);
        assert.deepEqual(loaded.get('cart'), ['apple', 'pear'], 'the read sees the write');
        await assert.rejects(loaded.confirmDurable(), SessionNotReplicatedError);

        await opened(cached); // a miss: read on the near cache's own connection
        const hit = await opened(cached);
        assert.equal(cached.nearCache?.stats().hits, 1, 'served from memory, no round trip');
        await assert.rejects(hit.confirmDurable(), SessionNotReplicatedError);

        await (await opened(warning)).confirmDurable();
        assert.deepEqual(
          warnLogger.warnings.map((w) => (w.obj as { code?: string }).code),
          ['SESSION_NOT_REPLICATED'],
        );
      } finally {
        process.kill(replicaPid, 'SIGCONT');
      }
      // Back: confirmed once the replica caught up (a few tries: its ACKs may need a moment).
      let tries = 0;
      for (;;) {
        tries++;
        try {
          await (await opened(cached)).confirmDurable();
          break;
        } catch (err) {
          if (!(err instanceof SessionNotReplicatedError) || tries >= 50) throw err;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      console.log(`confirmDurable after SIGCONT: confirmed on try ${tries}`);
    } finally {
      for (const { manager, conn } of readers) {
        await manager.close();
        conn.disconnect();
      }
    }
  });
});
