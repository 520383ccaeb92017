// Scenario 16 — gray faults: a store that answers slowly or not at all, one replica cut off from
// it, a gateway that accepts and never answers, keyless clients under a SIGKILL. None of these is
// a process event: the fault proxy (@baton/fault-proxy) sits on every hop of a stack of its own
// (`faults: true`) and switches faults while the stack runs. The clients never retry: whatever
// nginx and the apps do not absorb shows up in their counts, which every test prints.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from '@playwright/test';
import type { Fault, FaultProxyClient } from '@baton/fault-proxy';
import type { Stack } from '@baton/stack';
import { GrayClient, grayTally, percentile, runGrayLoad } from './fixtures/gray-client.js';
import { reportCounts } from './fixtures/counts.js';
import {
  E2E_DRIVER,
  attachStackLogs,
  destroyStack,
  newStackHandle,
  openStack,
} from './fixtures/stack-handle.js';

test.describe.configure({ mode: 'serial' });
test.skip(E2E_DRIVER !== 'local', 'the fault proxy runs on the local driver');

let stack: Stack;
let proxy: FaultProxyClient;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stack = openStack({ ...(await newStackHandle({})), faults: true });
  try {
    await stack.up();
  } catch (error) {
    await destroyStack(stack);
    throw error;
  }
  proxy = await stack.faultProxy();
});

test.afterAll(async () => {
  if (stack) await destroyStack(stack);
});

test.afterEach(async () => {
  const testInfo = test.info();
  // Heal every link, so one scenario's fault never leaks into the next.
  for (const link of await proxy.links()) await proxy.setFault(link.name, { mode: 'pass' });
  if (testInfo.status !== testInfo.expectedStatus) await attachStackLogs(stack, testInfo, 'gray');
  await stack.up();
});

/** Sets `fault` on every link whose name matches. */
async function faultLinks(match: (name: string) => boolean, fault: Fault): Promise<string[]> {
  const names = (await proxy.links()).map((link) => link.name).filter(match);
  for (const name of names) await proxy.setFault(name, fault);
  return names;
}

const toValkey = (name: string) => name.endsWith('>valkey');

function clients(count: number, keyed: boolean): GrayClient[] {
  return Array.from({ length: count }, (_, i) => new GrayClient(stack.edgeUrl, `c${i}`, keyed));
}

test('Valkey 200 ms slower: every request succeeds, none meets the 500 ms command timeout', async () => {
  const testInfo = test.info();
  const load = clients(4, true);
  for (const client of load) await client.add('apple'); // sessions exist before the fault
  await faultLinks(toValkey, { mode: 'latency', ms: 200 });
  await runGrayLoad(load, { stop: () => false, maxRequests: 15, maxMs: 30_000, pauseMs: 20 });
  await faultLinks(toValkey, { mode: 'pass' });
  const tally = await grayTally(load);
  const during = load.flatMap((c) => c.samples.slice(1, 16));
  const failed = during.filter((s) => s.status === null || s.status >= 400);
  reportCounts(
    testInfo,
    'valkey-slow',
    { ...tally, failed: failed.length },
    {
      p50Ms: percentile(
        during.map((s) => s.ms),
        50,
      ),
      p99Ms: percentile(
        during.map((s) => s.ms),
        99,
      ),
      status503: failed.filter((s) => s.status === 503).length,
    },
  );
  expect(failed, 'failed requests on a slow store').toEqual([]);
  // Proof that the latency was there: no store round trip is faster than the added 200 ms.
  expect(
    percentile(
      during.map((s) => s.ms),
      50,
    ),
  ).toBeGreaterThanOrEqual(200);
  expect(tally.lost).toBe(0);
  expect(tally.duplicates).toBe(0);
});

test('Valkey stalled 10 s: 503 + Retry-After, success again after the heal, 0 acknowledged lost, bounded', async () => {
  const testInfo = test.info();
  const load = clients(4, true);
  for (const client of load) await client.add('apple');
  const before = await proxy.links();
  const connectionsBefore = before
    .filter((l) => toValkey(l.name))
    .reduce((n, l) => n + l.stats.connections, 0);
  const stalledAt = Date.now();
  await faultLinks(toValkey, { mode: 'stall' });
  let stalled = true;
  let maxHeld = 0;
  let maxConnections = 0;
  const watch = (async () => {
    while (stalled) {
      const links = (await proxy.links()).filter((l) => toValkey(l.name));
      maxHeld = Math.max(
        maxHeld,
        links.reduce((n, l) => n + l.stats.heldBytes, 0),
      );
      maxConnections = Math.max(
        maxConnections,
        links.reduce((n, l) => n + l.stats.connections, 0),
      );
      await sleep(250);
    }
  })();
  await runGrayLoad(load, {
    stop: () => Date.now() - stalledAt > 10_000,
    maxRequests: 200,
    maxMs: 11_000,
    pauseMs: 50,
  });
  const healedAt = Date.now();
  await faultLinks(toValkey, { mode: 'pass' });
  stalled = false;
  await watch;
  // After the heal: the first request that succeeds, per client.
  const firstSuccess = await Promise.all(
    load.map(async (client) => {
      for (let i = 0; i < 40; i++) {
        if (await client.add('pear')) return Date.now() - healedAt;
        await sleep(50);
      }
      return Infinity;
    }),
  );
  const tally = await grayTally(load);
  // Every request sent while the store was stalled. The first wave, sent before any command had
  // timed out, waits out the 500 ms command timeout on each replica nginx tries; once a replica
  // has seen one, its store breaker answers at once (apps/cart-service store-breaker.ts).
  const during = load.flatMap((c) => c.samples.filter((s) => s.at >= stalledAt && s.at < healedAt));
  const settled = during.filter((s) => s.at >= stalledAt + 600);
  const not503 = during.filter((s) => s.status !== 503 || s.retryAfter === null);
  const slow = settled.filter((s) => s.ms >= 600);
  reportCounts(
    testInfo,
    'valkey-stalled',
    { ...tally, failed: not503.length + slow.length },
    {
      requestsDuringStall: during.length,
      answered503: during.filter((s) => s.status === 503).length,
      firstWaveMaxMs: Math.max(0, ...during.filter((s) => s.at < stalledAt + 600).map((s) => s.ms)),
      p50Ms503: percentile(
        settled.map((s) => s.ms),
        50,
      ),
      p99Ms503: percentile(
        settled.map((s) => s.ms),
        99,
      ),
      firstSuccessAfterHealMs: Math.max(...firstSuccess),
      valkeyConnectionsBefore: connectionsBefore,
      valkeyConnectionsMax: maxConnections,
      heldBytesMax: maxHeld,
    },
  );
  expect(settled.length).toBeGreaterThan(0);
  expect(not503, 'requests during the stall that were not 503 + Retry-After').toEqual([]);
  expect(slow, 'requests that waited 600 ms or more for their 503').toEqual([]);
  expect(firstSuccess.every(Number.isFinite), 'every client succeeds again after the heal').toBe(
    true,
  );
  expect(tally.lost, 'acknowledged adds lost').toBe(0);
  // Bounded: no reconnect storm (the connections stay those of the replicas) and the backlog the
  // proxy held stays far below its per-connection cap.
  expect(maxConnections).toBeLessThanOrEqual(connectionsBefore * 2);
  expect(maxHeld).toBeLessThan(1024 * 1024);
});

test('one cart replica cut off from Valkey: unready, and nginx sends its 503s to the sibling: 0 failed', async () => {
  const testInfo = test.info();
  const status = await stack.status();
  const cart = status.find((p) => p.service === 'cart' && p.state === 'running')!;
  const load = clients(4, true);
  for (const client of load) await client.add('apple');
  const cutAt = Date.now();
  await faultLinks((name) => name === `${cart.name}>valkey`, { mode: 'stall' });
  // Unready: its own /readyz (what an orchestrator would ask) turns 503.
  let unreadyAfterMs = Infinity;
  for (let i = 0; i < 40; i++) {
    const ready = await fetch(`http://127.0.0.1:${cart.port}/readyz`, {
      signal: AbortSignal.timeout(2_000),
    })
      .then((r) => r.status)
      .catch(() => 0);
    if (ready === 503) {
      unreadyAfterMs = Date.now() - cutAt;
      break;
    }
    await sleep(100);
  }
  await runGrayLoad(load, { stop: () => false, maxRequests: 30, maxMs: 30_000, pauseMs: 20 });
  await faultLinks((name) => name === `${cart.name}>valkey`, { mode: 'pass' });
  const tally = await grayTally(load);
  const failed = load.flatMap((c) => c.failures(cutAt));
  reportCounts(
    testInfo,
    'cart-partitioned',
    { ...tally, failed: failed.length },
    {
      partitioned: cart.name,
      unreadyAfterMs,
      p99Ms: percentile(
        load.flatMap((c) => c.samples.filter((s) => s.at >= cutAt).map((s) => s.ms)),
        99,
      ),
    },
  );
  expect(unreadyAfterMs, `${cart.name} turned unready`).toBeLessThan(Infinity);
  expect(failed, 'failed requests').toEqual([]);
  expect(tally.lost).toBe(0);
  expect(tally.duplicates).toBe(0);
});

test('a gateway that accepts and never answers: nginx moves on, 0 GETs or keyed writes fail', async () => {
  const testInfo = test.info();
  test.setTimeout(120_000);
  const status = await stack.status();
  const gateway = status.find((p) => p.service === 'gateway' && p.state === 'running')!;
  const load = clients(8, true);
  for (const client of load) await client.add('apple');
  const stalledAt = Date.now();
  await faultLinks((name) => name === `nginx>${gateway.name}`, { mode: 'stall' });
  // Few calls: each one nginx first sends to the stalled gateway waits out a 12 s try.
  await runGrayLoad(load, { stop: () => false, maxRequests: 2, maxMs: 60_000, pauseMs: 20 });
  await faultLinks((name) => name === `nginx>${gateway.name}`, { mode: 'pass' });
  const tally = await grayTally(load);
  const during = load.flatMap((c) => c.samples.filter((s) => s.at >= stalledAt));
  const failed = during.filter((s) => s.status === null || s.status >= 400);
  reportCounts(
    testInfo,
    'gateway-stalled',
    { ...tally, failed: failed.length },
    {
      stalled: gateway.name,
      // Requests nginx first sent to the stalled gateway wait out its 12 s read timeout.
      movedOn: during.filter((s) => s.ms >= 12_000).length,
      maxMs: Math.max(0, ...during.map((s) => s.ms)),
    },
  );
  expect(
    during.filter((s) => s.ms >= 12_000).length,
    'some requests met the stalled gateway',
  ).toBeGreaterThan(0);
  expect(failed, 'failed requests').toEqual([]);
  expect(tally.lost).toBe(0);
  expect(tally.duplicates).toBe(0);
});

test('keyless writes: SIGKILL of a gateway under keyless POSTs: 0 failed, 0 duplicates, 0 lost', async () => {
  const testInfo = test.info();
  const load = clients(4, false);
  for (const client of load) await client.add('apple');
  const gateway = (await stack.status()).find(
    (p) => p.service === 'gateway' && p.state === 'running',
  )!;
  let running = true;
  const traffic = runGrayLoad(load, {
    stop: () => !running,
    maxRequests: 400,
    maxMs: 30_000,
    pauseMs: 10,
  });
  const killedAt = Date.now();
  try {
    await sleep(1_000);
    await stack.kill(gateway.name);
    await sleep(1_500);
    await stack.start(gateway.name);
    await sleep(1_000);
  } finally {
    running = false;
    await traffic;
    await stack.start(gateway.name);
  }
  const tally = await grayTally(load);
  const failed = load.flatMap((c) => c.failures());
  reportCounts(
    testInfo,
    'keyless-sigkill',
    { ...tally, failed: failed.length },
    {
      killed: gateway.name,
      posts: load.flatMap((c) => c.samples.filter((s) => s.method === 'POST' && s.at >= killedAt))
        .length,
    },
  );
  expect(failed, 'failed requests').toEqual([]);
  expect(tally.duplicates, 'adds applied twice').toBe(0);
  expect(tally.lost, 'acknowledged adds lost').toBe(0);
});
