import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { ValkeyProcess } from '@baton/valkey-testing';
import {
  type OpenSession,
  SessionManager,
  SessionStoreUnavailableError,
  createValkeyClient,
  sessionIdOf,
  waitUntilReady,
} from '../../src/core/index.js';
import { RecordingLogger, startValkey } from './harness.js';

const NS = 'test';

/** A response stand-in that records the headers a commit sets. */
class Headers {
  readonly values = new Map<string, unknown>();
  getHeader(name: string) {
    return this.values.get(name.toLowerCase()) as string | string[] | undefined;
  }
  setHeader(name: string, value: unknown) {
    this.values.set(name.toLowerCase(), value);
  }
  token(): string | undefined {
    return this.values.get('x-auth-token') as string | undefined;
  }
}

const withToken = (token?: string) => ({
  headers: token === undefined ? {} : { 'x-auth-token': token },
});

describe('SessionManager and ValkeySessionStore against a real valkey-server', () => {
  let valkey: ValkeyProcess;
  let client: Redis;
  let logger: RecordingLogger;
  let manager: SessionManager;

  /** Opens a session the way a request would, runs `work`, commits; returns the token the client holds. */
  async function request(
    token: string | undefined,
    work: (s: OpenSession['session']) => unknown = () => {},
  ) {
    const opened = await manager.open(withToken(token));
    await work(opened.session);
    const res = new Headers();
    await opened.commit(res);
    return { token: res.token() ?? token, session: opened.session, res };
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
    logger = new RecordingLogger();
    manager = new SessionManager({ client, namespace: NS, resolver: 'header', logger });
  });

  it('slides the TTL: a read refreshes PTTL to maxInactiveInterval', async () => {
    const { token, session } = await request(undefined, (s) => s.set('n', 1));
    const key = `${NS}:sessions:{${session.id}}`;
    assert.ok((await client.pttl(key)) > 1_799_000);
    await client.pexpire(key, 5_000);
    await request(token);
    const pttl = await client.pttl(key);
    assert.ok(pttl > 1_799_000, `PTTL after a read was ${pttl}`);
  });

  it('honours a per-session maxInactiveInterval', async () => {
    const { session, token } = await request(undefined, (s) => {
      s.maxInactiveIntervalMs = 60_000;
      s.set('n', 1);
    });
    const key = `${NS}:sessions:{${session.id}}`;
    const pttl = await client.pttl(key);
    assert.ok(pttl > 59_000 && pttl <= 60_000, `PTTL ${pttl}`);
    const again = await request(token);
    assert.equal(again.session.maxInactiveIntervalMs, 60_000);
  });

  it('costs exactly one command for a read and writes only the changed field on a save', async () => {
    const { token } = await request(undefined, (s) => {
      s.set('cart', ['apple']);
      s.set('profile', { name: 'Alice', bio: 'x'.repeat(500) });
    });
    const monitor = await client.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') seen.push(args);
    });
    const scripted: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source === 'lua') scripted.push(args);
    });
    await new Promise((r) => setTimeout(r, 50));

    await request(token);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.length, 1, `a read sent ${JSON.stringify(seen)}`);
    assert.match(seen[0]?.[0] ?? '', /^evalsha$/i);
    console.log(`# read: ${seen.length} round trip`);

    seen.length = 0;
    scripted.length = 0;
    await request(token, (s) => s.set('cart', ['apple', 'pear']));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.length, 2, `load + save, got ${JSON.stringify(seen.map((a) => a[0]))}`);
    const hset = scripted.filter((args) => args[0]?.toLowerCase() === 'hset');
    const written = hset.flatMap((args) => args.slice(2).filter((_, i) => i % 2 === 0));
    assert.ok(written.includes('a:cart'));
    assert.ok(!written.includes('a:profile'), `unchanged attribute rewritten: ${written}`);
    console.log(`# write: ${seen.length} round trips, fields written: ${written.join(', ')}`);
    monitor.disconnect();
  });

  it('loses no update: 100 concurrent increments through two store instances (two nodes)', async () => {
    const { token } = await request(undefined, (s) => s.set('counter', 0));
    const other = createValkeyClient({ url: valkey.url, commandTimeoutMs: 2_000 });
    await waitUntilReady(other);
    const nodes = [
      manager,
      new SessionManager({ client: other, namespace: NS, resolver: 'header', logger }),
    ];
    try {
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const opened = await (nodes[i % 2] as SessionManager).open(withToken(token));
          await opened.session.update<number>('counter', (n = 0) => n + 1);
          await opened.commit(new Headers());
        }),
      );
    } finally {
      other.disconnect();
    }
    const { session } = await request(token);
    assert.equal(session.get('counter'), 100);
  });

  it('changeId keeps data and TTL, and the old token no longer resolves', async () => {
    // A per-session interval, so "TTL kept" cannot pass by accident with the default.
    const first = await request(undefined, (s) => {
      s.maxInactiveIntervalMs = 600_000;
      s.set('cart', ['apple']);
    });
    const oldKey = `${NS}:sessions:{${first.session.id}}`;
    const renamed = await request(first.token, (s) => {
      s.changeId();
      s.set('user', 'alice');
    });
    assert.notEqual(renamed.token, first.token);
    const newKey = `${NS}:sessions:{${sessionIdOf(renamed.token as string)}}`;
    assert.equal(await client.exists(oldKey), 0);
    const pttl = await client.pttl(newKey);
    assert.ok(pttl > 590_000 && pttl <= 600_000, `TTL kept: ${pttl}`);
    const after = await request(renamed.token);
    assert.deepEqual(after.session.get('cart'), ['apple']);
    assert.equal(after.session.get('user'), 'alice');
    assert.equal(after.session.maxInactiveIntervalMs, 600_000);
    const stale = await request(first.token);
    assert.equal(stale.session.isNew, true);
    assert.equal(stale.session.get('cart'), undefined);
  });

  it('a write to a session someone else ended is refused, never resurrects it', async () => {
    const { token, session } = await request(undefined, (s) => s.set('cart', ['apple']));
    const opened = await manager.open(withToken(token));
    await client.del(`${NS}:sessions:{${session.id}}`);
    await assert.rejects(
      opened.session.update<string[]>('cart', (c = []) => [...c, 'pear']),
      {
        code: 'SESSION_GONE',
      },
    );
    opened.session.set('x', 1);
    await assert.rejects(opened.commit(new Headers()), { code: 'SESSION_GONE' });
    assert.equal(await client.exists(`${NS}:sessions:{${session.id}}`), 0);
  });

  it('treats corrupt data as no session: logged, never thrown', async () => {
    const cases: [string, (key: string) => Promise<unknown>][] = [
      [
        'attribute not JSON',
        (k) =>
          client.hset(
            k,
            'created',
            '1',
            'lastAccess',
            '1',
            'maxInactive',
            '60000',
            'a:cart',
            '{nope',
          ),
      ],
      ['metadata missing', (k) => client.hset(k, 'a:cart', '[]')],
      ['not a hash', (k) => client.set(k, 'plain string')],
    ];
    for (const [label, corrupt] of cases) {
      const { token, session } = await request(undefined, (s) => s.set('cart', []));
      const key = `${NS}:sessions:{${session.id}}`;
      await client.del(key);
      await corrupt(key);
      const before = logger.warnings.length;
      const again = await request(token);
      assert.equal(again.session.isNew, true, label);
      assert.equal(logger.warnings.length, before + 1, `${label} is logged`);
      assert.equal((logger.warnings.at(-1)?.obj as { code?: string }).code, 'SESSION_DATA_CORRUPT');
    }
  });

  it('fails fast with a typed error while Valkey is down, and works again after it restarts', async () => {
    const { token } = await request(undefined, (s) => s.set('n', 1));
    await valkey.stop();
    try {
      const started = Date.now();
      await assert.rejects(manager.open(withToken(token)), SessionStoreUnavailableError);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 2_000, `took ${elapsed} ms`);
      console.log(`# store down: typed error after ${elapsed} ms`);
    } finally {
      await valkey.restart();
    }
    await waitUntilReady(client, 5_000);
    const fresh = await request(undefined, (s) => s.set('n', 2));
    assert.equal((await request(fresh.token)).session.get('n'), 2);
  });

  it('a hung Valkey (SIGSTOP) fails the request after commandTimeout, not never', async () => {
    const { token } = await request(undefined, (s) => s.set('n', 1));
    const pid = valkey.pid as number;
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      await assert.rejects(manager.open(withToken(token)), SessionStoreUnavailableError);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 2_000, `took ${elapsed} ms with commandTimeout 300 ms`);
      console.log(`# store hung: typed error after ${elapsed} ms (commandTimeout 300 ms)`);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitUntilReady(client, 5_000);
    assert.equal((await request(token)).session.get('n'), 1);
  });

  it('a server that answers but refuses (an ACL it lacks, a read-only replica) is 503, not 500', async () => {
    const { token } = await request(undefined, (s) => s.set('n', 1));
    await client.acl('SETUSER', 'pinger', 'on', '>pw', '~*', '+ping');
    const limited = createValkeyClient({
      url: `redis://pinger:pw@127.0.0.1:${valkey.port}`,
      commandTimeoutMs: 300,
    });
    await waitUntilReady(limited);
    try {
      const node = new SessionManager({
        client: limited,
        namespace: NS,
        resolver: 'header',
        logger,
      });
      await assert.rejects(node.open(withToken(token)), SessionStoreUnavailableError);
    } finally {
      limited.disconnect();
      await client.acl('DELUSER', 'pinger');
    }
  });
});
