// Valkey goes away and comes back on the same port while a gateway, a cart-service and
// account-service's session manager keep running: no process restarts. Measured and PRINTED (not
// asserted, the machine is shared): the slowest 503 during the outage, and after Valkey is back
// the first successful request, the first live cart push (Pub/Sub) and the first session event
// (the indexed-mode stream consumer group). Asserted: 503 + Retry-After + JSON while it is away,
// /healthz 200 and /readyz 503, one log line per outage, and that requests, Pub/Sub, the event
// stream and the expiry (keyspace notification) subscriber all work again afterwards.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { createValkeyClient } from '@baton/session';
import { gatewayRig } from './gateway-rig.js';
import { request } from './harness.js';
import type { TestSocket } from './ws-client.js';

/** How long the test keeps sending requests into the outage. */
const OUTAGE_MS = 1_500;

/** Every line the cart-service's logger wrote, parsed. */
class CapturedLog extends Writable {
  readonly lines: { level: number; msg?: string }[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      this.lines.push(JSON.parse(line) as { level: number; msg?: string });
    }
    done();
  }
  /** pino's numeric levels: 40 warn, 50 error. */
  at(level: number): { level: number; msg?: string }[] {
    return this.lines.filter((line) => line.level === level);
  }
}

describe('Valkey outage: fail fast, recover by itself, subscriptions included', () => {
  const cartLog = new CapturedLog();
  // AOF on, as in the stack: sessions outlive the restart. The real cart logs into `cartLog`.
  const rig = gatewayRig({ cart: 'real', cartLog, valkey: { appendOnly: true }, accounts: {} });
  let admin: Redis;
  const add = (token: string, sku: string) => rig.addToCart(rig.gateway, token, sku);
  const signIn = (principal: string) => rig.signIn(principal);
  const socketFor = (token: string): TestSocket => rig.socket(rig.gateway, token);

  /** The next `cart` push on `socket` (skipping the greeting), or undefined after `timeoutMs`. */
  async function nextCartPush(socket: TestSocket, timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const message = (await socket.next(deadline - Date.now()).catch(() => undefined)) as
        { type?: string } | undefined;
      if (message?.type === 'cart') return message;
    }
    return undefined;
  }

  /** Connections of `name` that are subscribed to something, as Valkey's CLIENT LIST shows. */
  async function subscribed(name: string): Promise<boolean> {
    const list = String(await admin.call('CLIENT', 'LIST'));
    return list
      .split('\n')
      .some((line) => line.includes(` name=${name} `) && !/ sub=0 /.test(line));
  }

  before(() => {
    admin = createValkeyClient({ url: rig.valkey.url });
    admin.on('error', () => {});
  });
  after(() => admin?.disconnect());

  it('answers 503 fast while Valkey is away and recovers requests, Pub/Sub and events after it returns', async () => {
    const token = await signIn('olga');
    assert.equal((await add(token, 'apple')).status, 201);

    // --- Outage ---------------------------------------------------------------------------
    await rig.valkey.stop();
    const latencies: number[] = [];
    const outageEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      const started = performance.now();
      const reply = await add(token, 'pear');
      latencies.push(performance.now() - started);
      assert.equal(reply.status, 503, reply.body);
      assert.equal(reply.headers['retry-after'], '1');
      assert.match(String(reply.headers['content-type']), /application\/json/);
      assert.equal(
        (reply.json() as { error: { code: string } }).error.code,
        'SESSION_STORE_UNAVAILABLE',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal((await request(rig.gateway.url, 'GET', '/healthz')).status, 200);
    assert.equal((await request(rig.gateway.url, 'GET', '/readyz')).status, 503);

    // --- Valkey returns on the same port, with its data -----------------------------------
    await rig.valkey.restart();
    const back = performance.now();
    let firstSuccessMs: number | undefined;
    while (firstSuccessMs === undefined && performance.now() - back < 15_000) {
      const reply = await add(token, 'pear');
      if (reply.status === 201) firstSuccessMs = performance.now() - back;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(firstSuccessMs !== undefined, 'requests never succeeded after Valkey came back');
    await waitUntil(async () => (await request(rig.gateway.url, 'GET', '/readyz')).status === 200);

    // Pub/Sub: a socket opened now, then a change published now, must arrive.
    const socket = socketFor(token);
    await socket.opened;
    let firstPushMs: number | undefined;
    for (let attempt = 0; firstPushMs === undefined && attempt < 20; attempt++) {
      assert.equal((await add(token, `kiwi`)).status, 201);
      if (await nextCartPush(socket, 500)) firstPushMs = performance.now() - back;
    }
    assert.ok(firstPushMs !== undefined, 'no live cart push after Valkey came back');

    // The session event stream (consumer group): a revocation closes the socket with 4001.
    const [info] = await rig.accounts.index.findByPrincipal('olga');
    assert.ok(info);
    const revokedAt = performance.now();
    assert.equal(await rig.accounts.index.revoke('olga', info.id), true);
    assert.deepEqual(await socket.closedWithin(10_000), { code: 4001, reason: 'session revoked' });
    const firstEventMs = performance.now() - back;
    const revokeToCloseMs = performance.now() - revokedAt;

    // Keyspace notifications: the expiry watcher's connection is subscribed again (its timing
    // is hidden behind the 1 s sweep, so the connection itself is checked).
    await waitUntil(() => subscribed('gateway-1:expirations'));
    await waitUntil(() => subscribed('gateway-1:cart-changes'));

    // One error line when the outage began and one line when it ended, however many requests
    // failed (each 503 has its access line, at warn).
    assert.deepEqual(
      cartLog.at(50).map((line) => line.msg),
      ['valkey unreachable: requests that need a session answer 503 until it is back'],
    );
    assert.equal(cartLog.lines.filter((line) => line.msg === 'valkey reachable again').length, 1);

    console.log(
      `valkey-outage: 503s=${latencies.length}, max 503 latency=${Math.round(Math.max(...latencies))} ms, ` +
        `first success after return=${Math.round(firstSuccessMs)} ms, ` +
        `first live push after return=${Math.round(firstPushMs)} ms, ` +
        `first session event after return=${Math.round(firstEventMs)} ms (revoke→close ${Math.round(revokeToCloseMs)} ms)`,
    );
  });
});

/** Polls `condition` until it holds or 10 s pass. */
async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
