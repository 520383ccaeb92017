// The fleet heartbeats against a real valkey-server with the platform ACL, as the `baton` user:
// a beat is readable as ready with its build, a draining replica says so, a clean stop is gone at
// once, and one that stops beating (a SIGKILL) is gone once its TTL ran out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { waitUntilReady } from '@baton/session';
import { ValkeyProcess } from '@baton/valkey-testing';
import { loadConfig, serviceEnvSchema } from '../../src/config.js';
import { FleetHeartbeat } from '../../src/fleet-heartbeat.js';
import { readFleet } from '../../src/fleet-reader.js';
import { Readiness } from '../../src/readiness.js';
import { valkeyClientFrom } from '../../src/session-config.js';

const ACL_FILE = fileURLToPath(new URL('../../../../../infra/valkey/users.acl', import.meta.url));
const NAMESPACE = 'myplatform:sessions';
const logger = pino({ level: 'silent' });

describe('fleet heartbeats (as the baton user, infra/valkey/users.acl)', () => {
  let valkey: ValkeyProcess;
  let client: Redis;

  before(async () => {
    valkey = await ValkeyProcess.start({
      aclFile: ACL_FILE,
      defaultPassword: 'admin-local-demo-password',
    });
    const config = loadConfig(serviceEnvSchema, {
      INSTANCE_ID: 'cart-1',
      PORT: '3000',
      VALKEY_URL: valkey.url,
      REDIS_USERNAME: 'baton',
      REDIS_PASSWORD: 'baton-local-demo-password',
    });
    client = valkeyClientFrom(config);
    await waitUntilReady(client);
  });

  after(async () => {
    client?.disconnect();
    await valkey?.dispose();
  });

  const heartbeatOf = (instance: string, version: string, readiness = new Readiness(client)) =>
    new FleetHeartbeat({
      valkey: client,
      namespace: NAMESPACE,
      identity: { instance, version },
      readiness,
      logger,
      intervalMs: 50,
      ttlMs: 300,
    });
  const stateOf = async (instance: string) =>
    (await readFleet(client, NAMESPACE)).find((r) => r.instance === instance);

  it('reads a beat as ready with its build and request rate; draining after drain()', async () => {
    const readiness = new Readiness(client);
    const beat = heartbeatOf('cart-1', 'v7', readiness);
    const counted = beat.counting((_req, res) => res.end());
    for (let i = 0; i < 20; i++) counted({} as never, { end() {} } as never);
    await beat.beat();
    const ready = await stateOf('cart-1');
    assert.equal(ready?.state, 'ready');
    assert.equal(ready && 'version' in ready ? ready.version : undefined, 'v7');
    assert.equal(ready?.service, 'cart');
    assert.ok(
      ready && 'rps' in ready && ready.rps > 0,
      `rps after 20 requests: ${JSON.stringify(ready)}`,
    );
    readiness.drain();
    await beat.beat();
    assert.equal((await stateOf('cart-1'))?.state, 'draining');
    await beat.stop();
    assert.equal((await stateOf('cart-1'))?.state, 'gone', 'a clean stop is gone at once');
  });

  it('shows a replica that stops beating as gone once its TTL ran out, sorted by number', async () => {
    const killed = heartbeatOf('cart-2', 'v1');
    const alive = heartbeatOf('cart-10', 'v1');
    alive.start();
    // One beat, then what a SIGKILL leaves: no more beats, no goodbye.
    await killed.beat();
    assert.equal((await stateOf('cart-2'))?.state, 'ready');
    await sleep(500);
    assert.equal((await stateOf('cart-2'))?.state, 'gone');
    assert.equal((await stateOf('cart-10'))?.state, 'ready');
    const names = (await readFleet(client, NAMESPACE)).map((r) => r.instance);
    assert.deepEqual(names, ['cart-1', 'cart-2', 'cart-10']);
    await alive.stop();
  });
});
