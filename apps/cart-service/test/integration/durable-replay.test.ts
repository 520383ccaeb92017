import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { ValkeyProcess } from '@baton/valkey-testing';
import {
  type CartInstance,
  type Reply,
  Shopper,
  eventually,
  startCart,
  storedCartJson,
} from './harness.js';

const run = promisify(execFile);
type Line = { sku: string; qty: number };
const skuQty = (body: { lines: Line[] }) => body.lines.map((l) => [l.sku, l.qty]);
const replayed = (reply: Reply) => reply.headers.get('idempotent-replayed') === 'true';

/**
 * Durable writes as the stack turns them on (one replica, failing the request), with timeouts
 * generous enough for a loaded CI machine: a healthy replica must never look lagging here.
 */
const DURABLE = {
  SESSION_DURABLE_WRITES_REPLICAS: '1',
  SESSION_DURABLE_WRITES_TIMEOUT_MS: '500',
  VALKEY_COMMAND_TIMEOUT_MS: '2000',
};

async function replicationInfo(port: number): Promise<string> {
  return (await run('valkey-cli', ['-p', String(port), 'INFO', 'replication'])).stdout;
}

/**
 * The hole this closes: a first attempt whose write reached the primary but not the replica gets
 * 503 SESSION_NOT_REPLICATED; its retry (nginx, gateway, UI, same Idempotency-Key) finds the
 * change already made and must not answer 201 before the replica holds it, since a failover now
 * would lose a change the 201 called done.
 */
describe('Idempotency-Key replays under durable writes (primary + lagging replica)', () => {
  let primary: ValkeyProcess;
  let replica: ValkeyProcess;
  let cart1: CartInstance;
  let cart2: CartInstance;

  before(async () => {
    // A primary waits 5 s by default before a diskless full sync, in case more replicas come.
    const noSyncDelay = ['--repl-diskless-sync-delay', '0'];
    primary = await ValkeyProcess.start({ args: noSyncDelay });
    replica = await ValkeyProcess.start({
      args: [...noSyncDelay, '--replicaof', '127.0.0.1', String(primary.port)],
    });
    await eventually(async () => /slave0:.*state=online/.test(await replicationInfo(primary.port)));
    cart1 = await startCart(primary.url, 'cart-1', DURABLE);
    // The other replica also keeps a near cache: a retry there may be served from memory.
    cart2 = await startCart(primary.url, 'cart-2', { ...DURABLE, SESSION_NEAR_CACHE: 'true' });
    // "online" on the primary is not yet acknowledging (the replica may still be loading the
    // sync): wait until a WAIT succeeds, so the test starts with a replica that keeps up.
    await eventually(async () => {
      await cart1.valkey.set('replication-probe', '1');
      return (await cart1.valkey.wait(1, 200)) === 1;
    });
  });

  after(async () => {
    // Never leave the replica stopped: dispose() would wait on a process that cannot exit.
    if (replica?.pid !== undefined) process.kill(replica.pid, 'SIGCONT');
    await cart1?.close();
    await cart2?.close();
    await replica?.dispose();
    await primary?.dispose();
  });

  test('a retry is 503 while the replica lags, and 201 (replayed, applied once) once it caught up', async () => {
    const shopper = new Shopper([cart1, cart2]);
    const first = await shopper.send('POST', '/api/cart/items', { json: { sku: 'pear' } });
    assert.equal(first.status, 201, `replica up: ${JSON.stringify(first.body)}`);

    const add = { json: { sku: 'apple', qty: 2 }, headers: { 'Idempotency-Key': randomUUID() } };
    const replicaPid = replica.pid as number;
    // SIGSTOP: the replica stays connected but acknowledges nothing, like one that lags.
    process.kill(replicaPid, 'SIGSTOP');
    try {
      const refused = await shopper.send('POST', '/api/cart/items', { ...add, via: cart1 });
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.equal(refused.body.error.code, 'SESSION_NOT_REPLICATED');
      assert.match((await storedCartJson(cart1)) ?? '', /apple/, 'the primary did apply it');

      const retry = await shopper.send('POST', '/api/cart/items', { ...add, via: cart1 });
      assert.equal(retry.status, 503, 'not the stored 201: nothing confirmed the change yet');
      assert.equal(retry.body.error.code, 'SESSION_NOT_REPLICATED');

      // The other replica: warm its near cache with a read (reads never WAIT), then retry there.
      const read = await shopper.send('GET', '/api/cart', { via: cart2 });
      assert.equal(read.status, 200);
      const elsewhere = await shopper.send('POST', '/api/cart/items', { ...add, via: cart2 });
      assert.equal(elsewhere.status, 503, 'a near-cache hit proves nothing about replicas');
      assert.equal(elsewhere.body.error.code, 'SESSION_NOT_REPLICATED');
    } finally {
      process.kill(replicaPid, 'SIGCONT');
    }

    // As a client would: retry after Retry-After until the replica has caught up.
    let tries = 0;
    let replay: Reply;
    do {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      tries++;
      replay = await shopper.send('POST', '/api/cart/items', { ...add, via: cart2 });
    } while (replay.status === 503 && tries < 50);
    console.log(`replay confirmed after the replica came back: try ${tries}`);
    assert.equal(replay.status, 201, 'the first attempt’s answer, now that it is safe');
    assert.equal(replayed(replay), true);
    assert.equal(replay.headers.get('location'), '/api/cart/items/apple');
    const again = await shopper.send('POST', '/api/cart/items', { ...add, via: cart1 });
    assert.equal(again.status, 201);
    assert.equal(replayed(again), true);

    const now = await shopper.send('GET', '/api/cart', { via: cart1 });
    assert.deepEqual(
      skuQty(now.body),
      [
        ['pear', 1],
        ['apple', 2],
      ],
      'applied once, by the first attempt',
    );
  });
});
