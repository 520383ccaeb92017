import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { ValkeySentinelGroup } from '@baton/valkey-testing';
import {
  type SessionObserver,
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
});
