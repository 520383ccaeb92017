import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SessionOptionsInvalidError } from './errors.js';
import { resolveOptions } from './options.js';

describe('resolveOptions', () => {
  // lazyConnect: these tests check options only and never talk to a server.
  const client = new Redis({ lazyConnect: true, commandTimeout: 500 });

  it('fills in the documented defaults', () => {
    const options = resolveOptions({ client });
    assert.equal(options.namespace, 'baton');
    assert.equal(options.maxInactiveIntervalMs, 1_800_000);
    assert.equal(options.updateMaxAttempts, 32);
  });

  it('names the bad option', () => {
    const cases: [object, string][] = [
      [{ client: {} }, 'client'],
      [{ client: new Redis({ lazyConnect: true }) }, 'client'],
      [{ client, namespace: 'has space' }, 'namespace'],
      [{ client, maxInactiveIntervalMs: 0 }, 'maxInactiveIntervalMs'],
      [{ client, maxAttributeBytes: 1.5 }, 'maxAttributeBytes'],
      [{ client, resolver: 'carrier-pigeon' }, 'resolver'],
      [{ client, headerName: 'bad header' }, 'headerName'],
    ];
    for (const [input, option] of cases) {
      assert.throws(
        () => resolveOptions(input as never),
        (err: unknown) =>
          err instanceof SessionOptionsInvalidError &&
          err.option === option &&
          err.message.includes(option),
        option,
      );
    }
  });
});
