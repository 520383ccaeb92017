import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { ValkeyProcess } from '@baton/valkey-testing';
import { SessionManager, sessionIdOf } from '../../src/core/index.js';
import { RecordingLogger, startValkey } from './harness.js';
import { NS, type Node, login, request, sleep, startNode } from './indexed-harness.js';

/** Sessions whose hash names `principal`, read atomically in one script (a snapshot). */
const COUNT_ALIVE = `
local n = 0
for _, key in ipairs(redis.call('KEYS', ARGV[1])) do
  if redis.call('HGET', key, 'principal') == ARGV[2] then n = n + 1 end
end
return n`;

describe('indexed mode: the principal index against a real valkey-server', () => {
  let valkey: ValkeyProcess;
  let client: Redis;
  let nodes: Node[] = [];

  const alive = async (principal: string) =>
    (await client.eval(COUNT_ALIVE, 0, `${NS}:sessions:{*`, principal)) as number;
  const indexKey = (principal: string) => `${NS}:principals:${principal}`;

  async function node(indexed = {}, maxInactiveIntervalMs?: number) {
    const started = await startNode(valkey.url, indexed, maxInactiveIntervalMs);
    nodes.push(started);
    await started.manager.ready();
    return started.manager;
  }

  before(async () => {
    ({ valkey, client } = await startValkey());
  });
  after(async () => {
    client?.disconnect();
    await valkey?.dispose();
  });
  beforeEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
    await client.flushall();
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('keeps reads at one round trip and writes the principal with the save, in one script', async () => {
    const manager = await node();
    const anonymous = await request(manager, undefined, (s) => s.set('cart', ['apple']));
    const monitor = await client.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua' && /^evalsha$|^eval$|^del$|^hset$/i.test(args[0] ?? ''))
        seen.push(args[0] as string);
    });
    await sleep(50);

    await request(manager, anonymous.token);
    await sleep(100);
    assert.equal(seen.length, 1, `a read sent ${JSON.stringify(seen)}`);

    seen.length = 0;
    const loggedIn = await login(manager, anonymous.token, 'alice');
    await sleep(100);
    assert.equal(seen.length, 2, `login = load + one rename script, got ${JSON.stringify(seen)}`);

    seen.length = 0;
    await request(manager, undefined, (s) => {
      s.set('cart', []);
      s.setPrincipal('alice');
    });
    await sleep(100);
    assert.equal(seen.length, 1, `a new session with a principal: one save, got ${seen}`);
    monitor.disconnect();

    const id = sessionIdOf(loggedIn.token as string);
    assert.equal(await client.hget(`${NS}:sessions:{${id}}`, 'principal'), 'alice');
    assert.notEqual(await client.zscore(indexKey('alice'), id), null);
    assert.equal(await client.hget(`${NS}:session-principals`, id), 'alice');
    assert.ok(
      (await client.pttl(indexKey('alice'))) > 1_790_000,
      'the index outlives its sessions',
    );
    console.log(`# keys: ${(await client.keys(`${NS}:*`)).sort().join(' ')}`);
  });

  it('findByPrincipal lists live sessions with metadata and chosen attributes, never a token', async () => {
    const manager = await node();
    const tokens: string[] = [];
    for (const device of ['laptop', 'phone', 'tablet']) {
      const { token } = await request(manager, undefined, (s) => {
        s.set('device', device);
        s.set('secret', 'not listed');
        s.setPrincipal('alice');
      });
      tokens.push(token as string);
      await sleep(5);
    }
    await request(manager, undefined, (s) => {
      s.set('device', 'bob-phone');
      s.setPrincipal('bob');
    });
    // The oldest session is used again: it comes first.
    await request(manager, tokens[0]);

    const sessions = await manager.index.findByPrincipal('alice', { attributes: ['device'] });
    assert.deepEqual(
      sessions.map((s) => s.id),
      [tokens[0], tokens[2], tokens[1]].map((t) => sessionIdOf(t as string)),
    );
    const first = sessions[0];
    assert.ok(first);
    assert.deepEqual(first.attributes, { device: 'laptop' });
    assert.equal(first.principal, 'alice');
    assert.equal(first.maxInactiveIntervalMs, 1_800_000);
    assert.ok(first.expiresAt.getTime() > Date.now() + 1_790_000);
    assert.ok(first.lastAccessedAt >= first.createdAt);
    const json = JSON.stringify(sessions);
    for (const token of tokens) assert.ok(!json.includes(token), 'a token leaked');
    assert.deepEqual(await manager.index.findByPrincipal('nobody'), []);
  });

  it('revoke deletes only a session of that principal; revokeAllExcept and revokeAll', async () => {
    const manager = await node();
    const alice = await Promise.all([1, 2, 3, 4].map(() => login(manager, undefined, 'alice')));
    const bob = await login(manager, undefined, 'bob');
    const [a1, a2] = alice.map((s) => sessionIdOf(s.token as string)) as string[];
    const bobId = sessionIdOf(bob.token as string);

    assert.equal(await manager.index.revoke('alice', bobId), false, "bob's session is not alice's");
    assert.equal((await request(manager, bob.token)).session.isNew, false, 'bob still logged in');
    assert.equal(await manager.index.revoke('alice', a1 as string), true);
    assert.equal(await manager.index.revoke('alice', a1 as string), false, 'already gone');
    assert.equal(
      (await request(manager, alice[0]?.token)).session.isNew,
      true,
      'revoked = logged out',
    );

    assert.equal(await manager.index.revokeAllExcept('alice', a2 as string), 2);
    assert.deepEqual(
      (await manager.index.findByPrincipal('alice')).map((s) => s.id),
      [a2],
    );
    for (const revoked of [alice[2], alice[3]]) {
      assert.equal((await request(manager, revoked?.token)).session.isNew, true);
    }

    assert.equal(await manager.index.revokeAll('alice'), 1);
    assert.deepEqual(await manager.index.findByPrincipal('alice'), []);
    assert.equal(await client.exists(indexKey('alice')), 0, 'an empty index is no key');
    assert.equal((await manager.index.findByPrincipal('bob')).length, 1);
  });

  it('changeId moves the index entry in the same script: old id gone, new id present', async () => {
    const manager = await node();
    const first = await login(manager, undefined, 'alice');
    const oldId = sessionIdOf(first.token as string);
    const renamed = await request(manager, first.token, (s) => {
      s.changeId();
      s.set('step', 2);
    });
    const newId = sessionIdOf(renamed.token as string);
    assert.notEqual(newId, oldId);
    assert.deepEqual(await client.zrange(indexKey('alice'), '0', '-1'), [newId]);
    assert.deepEqual(await client.zrange(`${NS}:expirations`, '0', '-1'), [newId]);
    assert.deepEqual(await client.hkeys(`${NS}:session-principals`), [newId]);
    assert.equal((await request(manager, renamed.token)).session.principal, 'alice');

    // Switching user on login moves the session from one index to the other.
    const switched = await login(manager, renamed.token, 'bob');
    assert.deepEqual(await client.zrange(indexKey('alice'), '0', '-1'), []);
    assert.deepEqual(await client.zrange(indexKey('bob'), '0', '-1'), [
      sessionIdOf(switched.token as string),
    ]);
  });

  it('concurrent logins under maxSessionsPerPrincipal 2 never leave more than 2 alive', async () => {
    const nodeA = await node({ maxSessionsPerPrincipal: 2 });
    const nodeB = await node({ maxSessionsPerPrincipal: 2 });
    // Ten browsers with a stored anonymous session each, then all log in at once on two nodes.
    const anonymous = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(i % 2 ? nodeA : nodeB, undefined, (s) => s.set('cart', [i])),
      ),
    );
    let racing = true;
    const samples: number[] = [];
    const sampler = (async () => {
      while (racing) samples.push(await alive('alice'));
    })();
    const afterEach: number[] = [];
    await Promise.all(
      anonymous.map(async ({ token }, i) => {
        await login(i % 2 ? nodeB : nodeA, token, 'alice');
        afterEach.push(await alive('alice'));
      }),
    );
    racing = false;
    await sampler;
    assert.equal(await alive('alice'), 2, 'exactly the limit is left');
    assert.ok(
      samples.every((n) => n <= 2),
      `sampled ${samples.length} times: ${samples.join(',')}`,
    );
    assert.ok(
      afterEach.every((n) => n <= 2),
      `after each login: ${afterEach}`,
    );
    assert.equal((await nodeA.index.findByPrincipal('alice')).length, 2);
    assert.equal(await client.zcard(indexKey('alice')), 2);
    console.log(
      `# 10 racing logins, limit 2: ${samples.length} snapshots, max ${Math.max(...samples)}`,
    );
  });

  it('is orphan-free: entries of sessions that expired while every node was down are gone after a sweep', async () => {
    const first = await node({}, 300);
    const second = await node({}, 300);
    const keep = await request(first, undefined, (s) => {
      s.maxInactiveIntervalMs = 60_000;
      s.setPrincipal('alice');
    });
    for (const manager of [first, second, first]) await login(manager, undefined, 'alice');
    await login(second, undefined, 'bob');
    assert.equal(await client.zcard(indexKey('alice')), 4);

    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
    await sleep(500);
    // Nobody was listening; bob's index expired with its last session by itself.
    assert.equal(await client.exists(indexKey('bob')), 0);

    const third = await node(); // its start-up sweep settles what expired meanwhile
    const keepId = sessionIdOf(keep.token as string);
    assert.deepEqual(await client.zrange(indexKey('alice'), '0', '-1'), [keepId]);
    assert.deepEqual(await client.zrange(`${NS}:expirations`, '0', '-1'), [keepId]);
    assert.deepEqual(await client.hkeys(`${NS}:session-principals`), [keepId]);
    assert.deepEqual(
      (await third.index.findByPrincipal('alice')).map((s) => s.id),
      [keepId],
    );
  });

  it('with indexed off, none of it exists: no index keys, setPrincipal and index throw', async () => {
    const manager = new SessionManager({
      client,
      namespace: NS,
      resolver: 'header',
      logger: new RecordingLogger(),
    });
    const { session } = await request(manager, undefined, (s) => s.set('cart', []));
    assert.throws(() => session.setPrincipal('alice'), { code: 'SESSION_OPTIONS_INVALID' });
    assert.throws(() => manager.index, { code: 'SESSION_OPTIONS_INVALID' });
    assert.throws(() => manager.events.on('created', () => {}), {
      code: 'SESSION_OPTIONS_INVALID',
    });
    assert.deepEqual(await client.keys(`${NS}:*`), [`${NS}:sessions:{${session.id}}`]);
    await manager.close();
  });
});
