import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { DEFAULT_BATON_STORE_OPTIONS, resolveBatonStoreOptions } from './store-options.js';

describe('resolveBatonStoreOptions', () => {
  const client = new Redis({ lazyConnect: true });
  it('fills in the defaults', () => {
    const resolved = resolveBatonStoreOptions({ client });
    assert.equal(resolved.namespace, DEFAULT_BATON_STORE_OPTIONS.namespace);
    assert.equal(resolved.defaultTtlMs, 86_400_000);
    assert.equal(resolved.operationTimeoutMs, 2_000);
  });
  it('names the option that is wrong', () => {
    for (const [input, option] of [
      [{}, 'client'],
      [{ client, namespace: '' }, 'namespace'],
      [{ client, defaultTtlMs: -1 }, 'defaultTtlMs'],
      [{ client, operationTimeoutMs: 1.5 }, 'operationTimeoutMs'],
    ] as const) {
      assert.throws(() => resolveBatonStoreOptions(input as never), { option });
    }
  });
});
