import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { SessionOptionsInvalidError } from '../errors.js';
import { resolveOptions } from '../options.js';

describe('durableWrites options', () => {
  // lazyConnect: these tests check options only and never talk to a server.
  const client = new Redis({ lazyConnect: true, commandTimeout: 500 });

  it('is off unless asked for, and true means one replica within 100 ms, failing the request', () => {
    assert.equal(resolveOptions({ client }).durableWrites, undefined);
    assert.equal(resolveOptions({ client, durableWrites: false }).durableWrites, undefined);
    assert.deepEqual(resolveOptions({ client, durableWrites: true }).durableWrites, {
      replicas: 1,
      timeoutMs: 100,
      onTimeout: 'fail',
    });
    assert.deepEqual(
      resolveOptions({ client, durableWrites: { replicas: 2, timeoutMs: 50, onTimeout: 'warn' } })
        .durableWrites,
      { replicas: 2, timeoutMs: 50, onTimeout: 'warn' },
    );
  });

  it('names the bad option', () => {
    const cases: [unknown, string][] = [
      ['yes', 'durableWrites'],
      [{ replicas: 0 }, 'durableWrites.replicas'],
      [{ replicas: 1.5 }, 'durableWrites.replicas'],
      [{ timeoutMs: 0 }, 'durableWrites.timeoutMs'],
      [{ timeoutMs: 500 }, 'durableWrites.timeoutMs'], // not below commandTimeout
      [{ onTimeout: 'ignore' }, 'durableWrites.onTimeout'],
    ];
    for (const [durableWrites, option] of cases) {
      assert.throws(
        () => resolveOptions({ client, durableWrites: durableWrites as never }),
        (err: unknown) => err instanceof SessionOptionsInvalidError && err.option === option,
        option,
      );
    }
  });

  it('refuses a Cluster connection: WAIT would go to an arbitrary node', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], {
      lazyConnect: true,
      redisOptions: { commandTimeout: 500 },
    });
    assert.throws(
      () => resolveOptions({ client: cluster, durableWrites: true }),
      (err: unknown) =>
        err instanceof SessionOptionsInvalidError &&
        err.option === 'durableWrites' &&
        /Cluster/.test(err.message),
    );
  });
});
