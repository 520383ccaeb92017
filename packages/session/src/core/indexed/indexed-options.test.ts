import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { SessionOptionsInvalidError } from '../errors.js';
import { resolveOptions } from '../options.js';
import { ConfigureValkeyAction } from './configure-action.js';

describe('indexed options', () => {
  // lazyConnect: these tests check options only and never talk to a server.
  const client = new Redis({ lazyConnect: true, commandTimeout: 500 });

  it('is off unless asked for, and true means the documented defaults', () => {
    assert.equal(resolveOptions({ client }).indexed, undefined);
    const indexed = resolveOptions({ client, indexed: true }).indexed;
    assert.equal(indexed?.configureAction, ConfigureValkeyAction.NOTIFY_KEYSPACE_EVENTS);
    assert.equal(indexed?.sweepIntervalMs, 1_000);
    assert.equal(indexed?.group, 'baton');
    assert.equal(indexed?.claimIdleMs, 30_000);
    assert.equal(indexed?.maxSessionsPerPrincipal, undefined);
    assert.match(indexed?.consumerName ?? '', /^[\w.-]+-\d+-[0-9a-f]{6}$/);
    assert.equal(
      resolveOptions({ client, indexed: { configureAction: 'none' } }).indexed?.configureAction,
      ConfigureValkeyAction.NO_OP,
    );
  });

  it('names the bad option', () => {
    const cases: [object, string][] = [
      [{ maxSessionsPerPrincipal: 0 }, 'indexed.maxSessionsPerPrincipal'],
      [{ configureAction: 'sometimes' }, 'indexed.configureAction'],
      [{ sweepIntervalMs: -1 }, 'indexed.sweepIntervalMs'],
      [{ group: 'has space' }, 'indexed.group'],
      [{ claimIdleMs: 1.5 }, 'indexed.claimIdleMs'],
    ];
    for (const [indexed, option] of cases) {
      assert.throws(
        () => resolveOptions({ client, indexed: indexed as never }),
        (err: unknown) => err instanceof SessionOptionsInvalidError && err.option === option,
        option,
      );
    }
  });

  it('accepts a Cluster connection (its index keys share one slot)', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    assert.ok(resolveOptions({ client: cluster, indexed: true }).indexed);
    cluster.disconnect();
  });
});
