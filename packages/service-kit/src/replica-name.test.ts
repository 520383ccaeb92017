import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplicaNameError, withReplicaName } from './replica-name.js';

/** A DNS of container names, as Docker's answers them on a compose network. */
function network(names: Record<string, string>, own: string[]) {
  return {
    addresses: () => own,
    resolve: async (name: string) => {
      const address = names[name];
      if (!address) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return [address];
    },
    timeoutMs: 0,
  };
}

describe('withReplicaName', () => {
  const compose = {
    'baton-cart-1': '172.18.0.5',
    'baton-cart-4': '172.18.0.9',
    'baton-account-1': '172.18.0.6',
  };

  it('keeps an explicit INSTANCE_ID', async () => {
    const env = { INSTANCE_ID: 'cart-1', INSTANCE_SERVICE: 'cart' };
    assert.equal(await withReplicaName(env, network({}, [])), env);
  });

  it('leaves an app without INSTANCE_SERVICE to the config check', async () => {
    const env = { PORT: '3000' };
    assert.equal(await withReplicaName(env, network({}, [])), env);
  });

  it('names the replica after the container whose name resolves to its address', async () => {
    const env = await withReplicaName(
      { INSTANCE_SERVICE: 'cart', COMPOSE_PROJECT_NAME: 'baton' },
      network(compose, ['10.0.0.2', '172.18.0.9']),
    );
    assert.equal(env.INSTANCE_ID, 'cart-4');
  });

  it('finds a high number, asking a few names at a time and none after its own', async () => {
    const asked: string[] = [];
    const dns = network({ 'baton-cart-19': '172.18.0.7' }, ['172.18.0.7']);
    const env = await withReplicaName(
      { INSTANCE_SERVICE: 'cart', COMPOSE_PROJECT_NAME: 'baton' },
      {
        ...dns,
        resolve: (name: string) => {
          asked.push(name);
          return dns.resolve(name);
        },
      },
    );
    assert.equal(env.INSTANCE_ID, 'cart-19');
    // Batches of 8: 1-8, 9-16, 17-24; nothing of 25-256 is asked.
    assert.equal(asked.length, 24);
    assert.equal(asked.at(-1), 'baton-cart-24');
  });

  it('never takes the number of another service', async () => {
    await assert.rejects(
      withReplicaName(
        { INSTANCE_SERVICE: 'cart', COMPOSE_PROJECT_NAME: 'baton' },
        network(compose, ['172.18.0.6']),
      ),
      (err: unknown) => err instanceof ReplicaNameError && /baton-cart-<n>/.test(err.message),
    );
  });

  it('says which variable is missing', async () => {
    await assert.rejects(
      withReplicaName({ INSTANCE_SERVICE: 'cart' }, network(compose, ['172.18.0.5'])),
      /needs COMPOSE_PROJECT_NAME/,
    );
  });
});
