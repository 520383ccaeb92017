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

/** The demo users; each account client signs in as one of them. */
const DEMO_LOGINS = [
  { username: 'alice', password: 'alice123' },
  { username: 'bob', password: 'bob123' },
] as const;

/** One client per demo user, signed in before any fault: their `GET /api/account/me` is the load. */
async function signedInClients(): Promise<GrayClient[]> {
  const signedIn = DEMO_LOGINS.map((u) => new GrayClient(stack.edgeUrl, `a-${u.username}`, true));
  for (const [i, client] of signedIn.entries()) {
    const { username, password } = DEMO_LOGINS[i]!;
    expect(await client.login(username, password), `${username} signs in`).toBe(true);
  }
  return signedIn;
}

/** Whether `me` names the user the client signed in as (its login is still there). */
async function namesItsUser(client: GrayClient): Promise<boolean> {
  return `a-${await client.me()}` === client.label;
}

/** Each account client reads `me` until `stop()` or its bounds (as runGrayLoad does for carts). */
async function runMeLoad(
  signedIn: GrayClient[],
  options: { stop: () => boolean; maxRequests: number; maxMs: number; pauseMs: number },
): Promise<void> {
  const deadline = Date.now() + options.maxMs;
  await Promise.all(
    signedIn.map(async (client) => {
      for (let i = 0; i < options.maxRequests && !options.stop() && Date.now() < deadline; i++) {
        await client.me();
        await sleep(options.pauseMs);
      }
    }),
  );
}

/**
 * The samples of `load` sent while the store was stalled, held to the target: every one a 503 +
 * Retry-After, and every one sent after the first 600 ms (by then each replica has met a command
 * timeout and its store breaker answers at once) answered within 600 ms.
 */
function stallVerdict(load: GrayClient[], stalledAt: number, healedAt: number) {
  const during = load.flatMap((c) => c.samples.filter((s) => s.at >= stalledAt && s.at < healedAt));
  const settled = during.filter((s) => s.at >= stalledAt + 600);
  const ms = settled.map((s) => s.ms);
  return {
    settled,
    not503: during.filter((s) => s.status !== 503 || s.retryAfter === null),
    slow: settled.filter((s) => s.ms >= 600),
    figures: {
      requestsDuringStall: during.length,
      answered503: during.filter((s) => s.status === 503).length,
      firstWaveMaxMs: Math.max(0, ...during.filter((s) => s.at < stalledAt + 600).map((s) => s.ms)),
      p50Ms503: percentile(ms, 50),
      p99Ms503: percentile(ms, 99),
      maxMs503: Math.max(0, ...ms),
    },
  };
}

/** Per client, ms from `healedAt` to its first success of `call` (at most 40 tries, 50 ms apart). */
function firstSuccessAfter(
  load: GrayClient[],
  healedAt: number,
  call: (client: GrayClient) => Promise<boolean>,
): Promise<number[]> {
  return Promise.all(
    load.map(async (client) => {
      for (let i = 0; i < 40; i++) {
        if (await call(client)) return Date.now() - healedAt;
        await sleep(50);
      }
      return Infinity;
    }),
  );
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
  // Signed-in users on the account routes, held to the same targets as the cart.
  const accounts = await signedInClients();
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
  const bounds = {
    stop: () => Date.now() - stalledAt > 10_000,
    maxRequests: 200,
    maxMs: 11_000,
    pauseMs: 50,
  };
  await Promise.all([runGrayLoad(load, bounds), runMeLoad(accounts, bounds)]);
  const healedAt = Date.now();
  await faultLinks(toValkey, { mode: 'pass' });
  stalled = false;
  await watch;
  // After the heal: the first request that succeeds, per client; an account client's `me` must
  // name its own user again (its login survived the stall).
  const [firstSuccess, firstMe] = await Promise.all([
    firstSuccessAfter(load, healedAt, (client) => client.add('pear')),
    firstSuccessAfter(accounts, healedAt, namesItsUser),
  ]);
  const tally = await grayTally(load);
  // The first wave, sent before any command had timed out, waits out the 500 ms command timeout
  // on each replica nginx tries; once a replica has seen one, its store breaker answers at once
  // (@baton/service-kit's StoreBreaker, in cart-service and account-service alike).
  const cart = stallVerdict(load, stalledAt, healedAt);
  const account = stallVerdict(accounts, stalledAt, healedAt);
  reportCounts(
    testInfo,
    'valkey-stalled',
    { ...tally, failed: cart.not503.length + cart.slow.length },
    {
      ...cart.figures,
      firstSuccessAfterHealMs: Math.max(...firstSuccess),
      valkeyConnectionsBefore: connectionsBefore,
      valkeyConnectionsMax: maxConnections,
      heldBytesMax: maxHeld,
    },
  );
  reportCounts(
    testInfo,
    'valkey-stalled-account',
    {
      sent: accounts.reduce((n, c) => n + c.samples.length, 0),
      failed: account.not503.length + account.slow.length,
      // Here an acknowledged write is a login, and a lost one a `me` that no longer names its user.
      acknowledged: accounts.length,
      lost: firstMe.filter((ms) => !Number.isFinite(ms)).length,
    },
    { ...account.figures, firstSuccessAfterHealMs: Math.max(...firstMe) },
  );
  for (const [name, verdict] of Object.entries({ cart, account })) {
    expect(verdict.settled.length, `${name} requests after the first wave`).toBeGreaterThan(0);
    expect(
      verdict.not503,
      `${name} requests during the stall that were not 503 + Retry-After`,
    ).toEqual([]);
    expect(verdict.slow, `${name} requests that waited 600 ms or more for their 503`).toEqual([]);
  }
  expect(firstSuccess.every(Number.isFinite), 'every client succeeds again after the heal').toBe(
    true,
  );
  expect(
    firstMe.every(Number.isFinite),
    'every signed-in user reads `me` again after the heal',
  ).toBe(true);
  expect(tally.lost, 'acknowledged adds lost').toBe(0);
  // Bounded: no reconnect storm (the connections stay those of the replicas) and the backlog the
  // proxy held stays far below its per-connection cap.
  expect(maxConnections).toBeLessThanOrEqual(connectionsBefore * 2);
  expect(maxHeld).toBeLessThan(1024 * 1024);
});

test('one cart and one account replica cut off from Valkey: unready, and nginx sends their 503s to the siblings: 0 failed', async () => {
  const testInfo = test.info();
  const status = await stack.status();
  const cut = (['cart', 'account'] as const).map((service) =>
    status.find((p) => p.service === service && p.state === 'running')!,
  );
  const cutLinks = new Set(cut.map((replica) => `${replica.name}>valkey`));
  const load = clients(4, true);
  for (const client of load) await client.add('apple');
  const accounts = await signedInClients();
  const cutAt = Date.now();
  await faultLinks((name) => cutLinks.has(name), { mode: 'stall' });
  // Unready: each one's own /readyz (what an orchestrator would ask) turns 503.
  const unreadyAfterMs = await Promise.all(
    cut.map(async (replica) => {
      for (let i = 0; i < 40; i++) {
        const ready = await fetch(`http://127.0.0.1:${replica.port}/readyz`, {
          signal: AbortSignal.timeout(2_000),
        })
          .then((r) => r.status)
          .catch(() => 0);
        if (ready === 503) return Date.now() - cutAt;
        await sleep(100);
      }
      return Infinity;
    }),
  );
  const bounds = { stop: () => false, maxRequests: 30, maxMs: 30_000, pauseMs: 20 };
  await Promise.all([runGrayLoad(load, bounds), runMeLoad(accounts, bounds)]);
  await faultLinks((name) => cutLinks.has(name), { mode: 'pass' });
  const tally = await grayTally(load);
  const failed = load.flatMap((c) => c.failures(cutAt));
  const failedMe = accounts.flatMap((c) => c.failures(cutAt));
  const loginsLost = (await Promise.all(accounts.map(namesItsUser))).filter((ok) => !ok).length;
  const p99Since = (group: GrayClient[]) =>
    percentile(
      group.flatMap((c) => c.samples.filter((s) => s.at >= cutAt).map((s) => s.ms)),
      99,
    );
  reportCounts(
    testInfo,
    'cart-partitioned',
    { ...tally, failed: failed.length },
    { partitioned: cut[0]!.name, unreadyAfterMs: unreadyAfterMs[0]!, p99Ms: p99Since(load) },
  );
  reportCounts(
    testInfo,
    'account-partitioned',
    {
      sent: accounts.reduce((n, c) => n + c.samples.length, 0),
      failed: failedMe.length,
      acknowledged: accounts.length,
      lost: loginsLost,
    },
    { partitioned: cut[1]!.name, unreadyAfterMs: unreadyAfterMs[1]!, p99Ms: p99Since(accounts) },
  );
  for (const [i, replica] of cut.entries()) {
    expect(unreadyAfterMs[i], `${replica.name} turned unready`).toBeLessThan(Infinity);
  }
  expect(failed, 'failed cart requests').toEqual([]);
  expect(failedMe, 'failed account requests').toEqual([]);
  expect(loginsLost, 'logins lost').toBe(0);
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
