import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type session from 'express-session';
import { Redis } from 'ioredis';
import { type ValkeyCluster, type ValkeyProcess, ValkeySentinelGroup } from '@baton/valkey-testing';
import { createValkeyClient, sessionIdOf, waitUntilReady } from '../../src/core/index.js';
import { BatonStore, sessionErrorHandler } from '../../src/express-session/index.js';
import { connect, keysPerMaster, startCluster } from './cluster-harness.js';
import { expressSessionApp } from './adopt/express-session-app.js';
import { RecordingLogger, listen, startValkey } from './harness.js';
import { call, sessionData, sleep } from './store-conformance/store-calls.js';

const NS = 'adopt';

/** The existing express-session app of the adoption test, on `store`. */
const counterApp = (store: session.Store) => expressSessionApp(store, sessionErrorHandler());

describe('BatonStore on a real Valkey', () => {
  let valkey: ValkeyProcess;
  let client: Redis;
  before(async () => {
    ({ valkey, client } = await startValkey());
  });
  after(async () => {
    client.disconnect();
    await valkey.stop();
  });

  it('keeps concurrent writes of different keys from two instances: none lost', async () => {
    // Each instance has its own client, as two processes would; 2 s: this machine is shared.
    const clients = [1, 2].map(() =>
      createValkeyClient({ url: valkey.url, commandTimeoutMs: 2_000 }),
    );
    await Promise.all(clients.map((c) => waitUntilReady(c)));
    const nodes = await Promise.all(
      clients.map((c) => listen(counterApp(new BatonStore({ client: c, namespace: NS })))),
    );
    try {
      const first = await fetch(`${nodes[0]?.base}/cart/start`, { method: 'POST' });
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const writers = 50;
      const statuses = await Promise.all(
        Array.from({ length: writers }, (_, i) =>
          fetch(`${nodes[i % 2]?.base}/prefs/k${i}/on`, {
            method: 'PUT',
            headers: { cookie },
          }).then((r) => r.status),
        ),
      );
      assert.deepEqual(new Set(statuses), new Set([200]));
      const stored = (await (
        await fetch(`${nodes[0]?.base}/session`, { headers: { cookie } })
      ).json()) as { prefs: Record<string, string> };
      const lost = Array.from({ length: writers }, (_, i) => `k${i}`).filter(
        (k) => stored.prefs[k] !== 'on',
      );
      console.log(
        `# ${writers} concurrent writes of different keys over 2 instances: ${lost.length} lost`,
      );
      assert.deepEqual(lost, []);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      for (const c of clients) c.disconnect();
    }
  });

  it('get is one round trip; a save is one more and writes only the changed key', async () => {
    const node = await listen(counterApp(new BatonStore({ client, namespace: NS })));
    const monitor = await client.monitor();
    try {
      const first = await fetch(`${node.base}/prefs/bio/${'x'.repeat(500)}`, { method: 'PUT' });
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const seen: string[][] = [];
      const scripted: string[][] = [];
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        (source === 'lua' ? scripted : seen).push(args);
      });
      // MONITOR may still be delivering the first request's commands: let it, then start over.
      await sleep(100);
      seen.length = 0;
      scripted.length = 0;
      await fetch(`${node.base}/cart/pear`, { method: 'POST', headers: { cookie } });
      await sleep(100);
      const commands = seen.map((args) => args[0]?.toLowerCase());
      // EVAL the first time this connection runs the script, EVALSHA afterwards.
      assert.equal(commands.length, 2, `sent ${JSON.stringify(commands)}`);
      assert.equal(commands[0], 'hgetall');
      assert.match(commands[1] ?? '', /^eval(sha)?$/);
      const written = scripted
        .filter((args) => args[0]?.toLowerCase() === 'hset')
        .flatMap((args) => args.slice(2).filter((_, i) => i % 2 === 0));
      assert.ok(written.includes('a:cart'));
      assert.ok(!written.includes('a:pref-bio'), `an unchanged key was rewritten: ${written}`);
      console.log(
        `# read + save: ${commands.length} round trips, keys written: ${written.join(', ')}`,
      );
    } finally {
      monitor.disconnect();
      await node.close();
    }
  });

  it('stores SHA-256 of the sid, never the sid, with a TTL at ms precision', async () => {
    const store = new BatonStore({ client, namespace: NS });
    await call(store, 'set', 'plain-sid-value', sessionData(12_345, { a: 1 }));
    const keys = await client.keys(`${NS}:*`);
    assert.ok(keys.includes(`${NS}:sessions:{${sessionIdOf('plain-sid-value')}}`));
    assert.ok(!keys.some((k) => k.includes('plain-sid-value')));
    const pttl = await client.pttl(`${NS}:sessions:{${sessionIdOf('plain-sid-value')}}`);
    assert.ok(pttl > 12_000 && pttl <= 12_345, `PTTL ${pttl}`);
  });

  it('a save after the session was destroyed elsewhere re-creates nothing', async () => {
    const store = new BatonStore({ client, namespace: NS });
    await call(store, 'set', 'raced', sessionData(60_000, { a: 1 }));
    const loaded = (await call(store, 'get', 'raced')) as Record<string, unknown>;
    await call(new BatonStore({ client, namespace: NS }), 'destroy', 'raced');
    loaded.a = 2;
    await call(store, 'set', 'raced', loaded);
    assert.equal(await call(store, 'get', 'raced'), null);
  });

  it('treats corrupt data as no session and logs it', async () => {
    const logger = new RecordingLogger();
    const store = new BatonStore({ client, namespace: NS, logger });
    await client.set(`${NS}:sessions:{${sessionIdOf('a-string')}}`, 'not a hash');
    await client.hset(`${NS}:sessions:{${sessionIdOf('bad-json')}}`, 'a:cookie', '{nope');
    assert.equal(await call(store, 'get', 'a-string'), null);
    assert.equal(await call(store, 'get', 'bad-json'), null);
    assert.deepEqual(
      logger.warnings.map((w) => (w.obj as { code: string }).code),
      ['SESSION_DATA_CORRUPT', 'SESSION_DATA_CORRUPT'],
    );
  });

  it('refuses a value JSON cannot hold with SESSION_VALUE_INVALID, and bad options at start', async () => {
    const store = new BatonStore({ client, namespace: NS });
    await assert.rejects(call(store, 'set', 'bigint', sessionData(60_000, { n: 1n })), {
      code: 'SESSION_VALUE_INVALID',
    });
    assert.throws(() => new BatonStore({ client: {} as Redis }), {
      code: 'SESSION_OPTIONS_INVALID',
    });
    assert.throws(() => new BatonStore({ client, defaultTtlMs: 0 }), {
      code: 'SESSION_OPTIONS_INVALID',
    });
  });

  it('turns a store that fails to load a session into 503 + Retry-After with the JSON error', async () => {
    const working = await listen(counterApp(new BatonStore({ client, namespace: NS })));
    const first = await fetch(`${working.base}/cart/apple`, { method: 'POST' });
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] as string;
    await working.close();
    const dead = createValkeyClient({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200 });
    dead.on('error', () => undefined);
    const node = await listen(counterApp(new BatonStore({ client: dead, namespace: NS })));
    try {
      const res = await fetch(`${node.base}/session`, { headers: { cookie } });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'SESSION_STORE_UNAVAILABLE');
    } finally {
      await node.close();
      dead.disconnect();
    }
  });

  it('never hangs on a client that queues while Valkey does not answer', async () => {
    // ioredis' defaults: an offline queue and no command timeout.
    const patient = new Redis(valkey.url);
    const store = new BatonStore({ client: patient, namespace: NS, operationTimeoutMs: 400 });
    await call(store, 'set', 'patient', sessionData(60_000, { a: 1 }));
    process.kill(valkey.pid as number, 'SIGSTOP');
    const started = performance.now();
    try {
      await assert.rejects(call(store, 'get', 'patient'), { code: 'SESSION_STORE_UNAVAILABLE' });
    } finally {
      process.kill(valkey.pid as number, 'SIGCONT');
    }
    const waited = performance.now() - started;
    assert.ok(waited < 1_000, `waited ${Math.round(waited)} ms`);
    patient.disconnect();
  });
});

describe('BatonStore on a Valkey Cluster', () => {
  let cluster: ValkeyCluster;
  before(async () => {
    ({ cluster } = await startCluster());
  });
  after(async () => {
    await cluster?.dispose();
  });

  it('all, length, ids and clear cover every master', async () => {
    const client = await connect(cluster);
    try {
      const store = new BatonStore({ client, namespace: NS });
      const sids = Array.from({ length: 30 }, (_, i) => `cluster-sid-${i}`);
      for (const sid of sids) await call(store, 'set', sid, sessionData(60_000, { owner: sid }));
      const perMaster = await keysPerMaster(client, `${NS}:sessions:*`);
      assert.ok([...perMaster.values()].filter((n) => n > 0).length > 1, 'all on one master');
      assert.equal(await call(store, 'length'), 30);
      assert.deepEqual(
        [...(await call<string[]>(store, 'ids'))].sort(),
        sids.map(sessionIdOf).sort(),
      );
      const all = await call<{ owner: string }[]>(store, 'all');
      assert.deepEqual(all.map((s) => s.owner).sort(), [...sids].sort());
      const one = (await call(store, 'get', 'cluster-sid-7')) as Record<string, unknown>;
      one.extra = true;
      await call(store, 'set', 'cluster-sid-7', one);
      assert.equal(((await call(store, 'get', 'cluster-sid-7')) as { extra: boolean }).extra, true);
      await call(store, 'clear');
      assert.equal(await call(store, 'length'), 0);
      console.log(`# cluster: 30 sessions over masters ${JSON.stringify([...perMaster])}, cleared`);
    } finally {
      client.disconnect();
    }
  });
});

describe('BatonStore through Sentinel', () => {
  it('stores and lists sessions on the primary the sentinels name', async () => {
    const group = await ValkeySentinelGroup.start();
    const client = createValkeyClient({
      sentinels: group.sentinels,
      sentinelName: group.name,
      commandTimeoutMs: 2_000,
    });
    client.on('error', () => undefined);
    try {
      await waitUntilReady(client, 10_000);
      const store = new BatonStore({ client, namespace: NS });
      await call(store, 'set', 'via-sentinel', sessionData(60_000, { a: 1 }));
      const loaded = (await call(store, 'get', 'via-sentinel')) as Record<string, unknown>;
      assert.equal(loaded.a, 1);
      assert.deepEqual(await call(store, 'ids'), [sessionIdOf('via-sentinel')]);
    } finally {
      client.disconnect();
      await group.dispose();
    }
  });
});
