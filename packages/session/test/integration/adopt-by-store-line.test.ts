import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import session from 'express-session';
import type { Redis } from 'ioredis';
import type { ValkeyProcess } from '@baton/valkey-testing';
import { createValkeyClient, waitUntilReady } from '../../src/core/index.js';
import { BatonStore, sessionErrorHandler } from '../../src/express-session/index.js';
import { expressSessionApp } from './adopt/express-session-app.js';
import { fastifySessionApp } from './adopt/fastify-session-app.js';
import { twoInstanceScenario } from './adopt/two-instance-scenario.js';
import { listen, startValkey } from './harness.js';

// A real express-session app and a real @fastify/session app, two instances each, one session:
// the apps' code is the same for every run, only the store they are given changes.
describe('adopting BatonStore by changing the store: line only', () => {
  let valkey: ValkeyProcess;
  let admin: Redis;
  const clients: Redis[] = [];
  before(async () => {
    ({ valkey, client: admin } = await startValkey());
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    admin.disconnect();
    await valkey.stop();
  });

  /** One instance's own client, as a separate process would have. */
  async function batonStore(): Promise<BatonStore> {
    const client = createValkeyClient({ url: valkey.url, commandTimeoutMs: 2_000 });
    clients.push(client);
    await waitUntilReady(client);
    return new BatonStore({ client, namespace: 'adopt-line' });
  }

  it('express-session: two instances share one session, no write lost', async () => {
    const nodes = await Promise.all(
      [1, 2].map(async () => listen(expressSessionApp(await batonStore(), sessionErrorHandler()))),
    );
    try {
      const { lost } = await twoInstanceScenario([nodes[0]!.base, nodes[1]!.base]);
      console.log(
        `# express-session + BatonStore, 2 instances: ${lost.length} of 20 concurrent writes lost`,
      );
      assert.deepEqual(lost, []);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  it('@fastify/session: two instances share one session, no write lost', async () => {
    const apps = await Promise.all([1, 2].map(async () => fastifySessionApp(await batonStore())));
    try {
      const bases = await Promise.all(
        apps.map(async (app) => {
          await app.listen({ port: 0, host: '127.0.0.1' });
          return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
        }),
      );
      const { lost } = await twoInstanceScenario(bases as [string, string]);
      console.log(
        `# @fastify/session + BatonStore, 2 instances: ${lost.length} of 20 concurrent writes lost`,
      );
      assert.deepEqual(lost, []);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }
  });

  it('control: with the MemoryStore each instance has its own sessions', async () => {
    const nodes = await Promise.all(
      [1, 2].map(() => listen(expressSessionApp(new session.MemoryStore(), sessionErrorHandler()))),
    );
    try {
      await assert.rejects(
        twoInstanceScenario([nodes[0]!.base, nodes[1]!.base]),
        /instance 2 reads/,
      );
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });
});
