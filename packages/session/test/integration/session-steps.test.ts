// The steps a tracer sees (`SessionObserver.onSessionStep`), against a real valkey-server: a load
// is one round trip with the bytes it brought back, an update() that lost one compare-and-set
// reports the conflict and the retry, a commit counts its round trip and the bytes it wrote.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { ValkeyProcess } from '@baton/valkey-testing';
import { SessionManager, type SessionStep } from '../../src/core/index.js';
import { RecordingLogger, startValkey } from './harness.js';

let valkey: ValkeyProcess;
let client: Redis;
before(async () => ({ valkey, client } = await startValkey()));
after(async () => {
  client?.disconnect();
  await valkey?.dispose();
});

/** A response stand-in: the token a commit hands out. */
function response(): {
  token?: string;
  getHeader(): undefined;
  setHeader(n: string, v: unknown): void;
} {
  return {
    getHeader: () => undefined,
    setHeader(name, value) {
      if (name.toLowerCase() === 'x-auth-token') this.token = String(value);
    },
  };
}

it('reports load, update (with its conflict and retry) and commit steps', async () => {
  const steps: SessionStep[] = [];
  const observer = { onStoreCall() {}, onSessionStep: (step: SessionStep) => steps.push(step) };
  const options = {
    client,
    namespace: 'steps',
    resolver: 'header' as const,
    logger: new RecordingLogger(),
  };
  const traced = new SessionManager({ ...options, observer });
  const plain = new SessionManager(options);

  const first = await traced.open({ headers: {} });
  first.session.set('cart', ['apple']);
  const res = response();
  await first.commit(res);
  const headers = { 'x-auth-token': res.token! };
  assert.deepEqual(
    steps.map((s) => [s.name, s.roundTrips, s.bytes]),
    [['commit', 1, JSON.stringify(['apple']).length]],
    'a new session: no load round trip, one commit',
  );

  steps.length = 0;
  const mine = await traced.open({ headers });
  const theirs = await plain.open({ headers });
  // Another node changes the cart after this request loaded it: the first compare-and-set loses.
  await theirs.session.update<string[]>('cart', (cart = []) => [...cart, 'pear']);
  const cart = await mine.session.update<string[]>('cart', (c = []) => [...c, 'kiwi']);
  await mine.commit(response());
  assert.deepEqual(cart, ['apple', 'pear', 'kiwi']);
  const [load, update, commit] = steps;
  assert.equal(load?.name, 'load');
  assert.equal(load.roundTrips, 1);
  assert.equal(load.bytes, JSON.stringify(['apple']).length);
  assert.equal(update?.name, 'update');
  assert.deepEqual([update.roundTrips, update.conflicts, update.retries], [2, 1, 1]);
  assert.equal(update.bytes, JSON.stringify(cart).length);
  assert.equal(commit?.name, 'commit');
  assert.equal(commit.roundTrips, 0, 'update() wrote already: nothing left to commit');
  for (const step of steps) assert.equal(step.outcome, 'ok');
  await Promise.all([traced.close(), plain.close()]);
});
