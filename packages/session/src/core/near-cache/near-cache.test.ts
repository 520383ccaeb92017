import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { SessionOptionsInvalidError } from '../errors.js';
import type { SessionRecord } from '../session-store.js';
import { NearCache, touchIntervalFor } from './near-cache.js';
import { resolveNearCacheOptions } from './near-cache-options.js';

const OPTIONS = { maxEntries: 3, maxBytes: 1_000_000, touchIntervalMs: 1_000 };

function record(id: string, cart = '[]', maxInactiveMs = 60_000): SessionRecord {
  return {
    id,
    createdAt: 1,
    lastAccessedAt: 1,
    maxInactiveMs,
    attributes: new Map([['cart', { json: cart, value: JSON.parse(cart) }]]),
  };
}

function loaded(cache: NearCache, id: string, at = 0, rec = record(id)): void {
  cache.settle(cache.begin(id), rec, at);
}

describe('NearCache', () => {
  it('serves nothing until invalidation runs, and caches nothing read before', () => {
    const cache = new NearCache(OPTIONS);
    const early = cache.begin('a');
    cache.enable();
    cache.settle(early, record('a'), 0);
    assert.equal(cache.get('a', 1), undefined);
    loaded(cache, 'a');
    assert.equal(cache.get('a', 1)?.id, 'a');
    assert.deepEqual(
      { hits: cache.stats().hits, misses: cache.stats().misses },
      { hits: 1, misses: 1 },
    );
  });

  it('drops a read whose key was invalidated while it was in flight', () => {
    const cache = new NearCache(OPTIONS);
    cache.enable();
    const ticket = cache.begin('a');
    cache.invalidate('a');
    cache.settle(ticket, record('a', '["old"]'), 0);
    assert.equal(cache.get('a', 1), undefined);
    // Another key's invalidation does not spoil it.
    const other = cache.begin('a');
    cache.invalidate('b');
    cache.settle(other, record('a'), 0);
    assert.ok(cache.get('a', 1));
  });

  it('drops reads in flight and entries on a flush or a disconnect', () => {
    const cache = new NearCache(OPTIONS);
    cache.enable();
    loaded(cache, 'a');
    const ticket = cache.begin('b');
    cache.disable();
    cache.enable();
    cache.settle(ticket, record('b'), 0);
    assert.equal(cache.get('a', 1), undefined);
    assert.equal(cache.get('b', 1), undefined);
    assert.equal(cache.stats().entries, 0);
  });

  it('sends a read to Valkey once the touch interval has passed', () => {
    const cache = new NearCache(OPTIONS);
    cache.enable();
    loaded(cache, 'a', 10_000);
    assert.ok(cache.get('a', 10_999));
    assert.equal(cache.get('a', 11_000), undefined);
    // A short session: a quarter of its idle timeout.
    loaded(cache, 'b', 0, record('b', '[]', 400));
    assert.ok(cache.get('b', 99));
    assert.equal(cache.get('b', 100), undefined);
    assert.equal(touchIntervalFor(400, 1_000), 100);
    assert.equal(touchIntervalFor(1_800_000, 5_000), 5_000);
  });

  it('reports the previous read of this process as lastAccessedAt', () => {
    const cache = new NearCache(OPTIONS);
    cache.enable();
    loaded(cache, 'a', 100);
    assert.equal(cache.get('a', 200)?.lastAccessedAt, 100);
    assert.equal(cache.get('a', 300)?.lastAccessedAt, 200);
  });

  it('evicts the least recently used entry beyond maxEntries and maxBytes', () => {
    const cache = new NearCache(OPTIONS);
    cache.enable();
    for (const id of ['a', 'b', 'c']) loaded(cache, id);
    cache.get('a', 1);
    loaded(cache, 'd');
    assert.equal(cache.get('b', 1), undefined);
    assert.ok(cache.get('a', 1));
    const small = new NearCache({ ...OPTIONS, maxBytes: 150 });
    small.enable();
    loaded(small, 'a', 0, record('a', JSON.stringify('x'.repeat(60))));
    loaded(small, 'b', 0, record('b', JSON.stringify('y'.repeat(60))));
    assert.equal(small.stats().entries, 1);
    assert.ok(small.get('b', 1));
  });
});

describe('resolveNearCacheOptions', () => {
  const client = new Redis({ lazyConnect: true, commandTimeout: 500 });

  it('is off unless asked for, and fills in the defaults', () => {
    assert.equal(resolveNearCacheOptions(undefined, client, false), undefined);
    assert.equal(resolveNearCacheOptions(false, client, false), undefined);
    assert.deepEqual(resolveNearCacheOptions(true, client, false), {
      maxEntries: 10_000,
      maxBytes: 64 * 1024 * 1024,
      touchIntervalMs: 5_000,
    });
  });

  it('refuses a Cluster, indexed mode and bad numbers, naming the option', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    const cases: [() => unknown, string][] = [
      [() => resolveNearCacheOptions(true, cluster, false), 'nearCache'],
      [() => resolveNearCacheOptions(true, client, true), 'nearCache'],
      [
        () => resolveNearCacheOptions({ touchIntervalMs: 0 }, client, false),
        'nearCache.touchIntervalMs',
      ],
      [() => resolveNearCacheOptions({ maxEntries: 1.5 }, client, false), 'nearCache.maxEntries'],
      [() => resolveNearCacheOptions('yes' as never, client, false), 'nearCache'],
    ];
    for (const [resolve, option] of cases) {
      assert.throws(
        resolve,
        (err: unknown) => err instanceof SessionOptionsInvalidError && err.option === option,
        option,
      );
    }
    cluster.disconnect();
  });
});
