// Scenario 5 — Valkey restart: the session store goes away and comes back with its data (AOF).
// Two restarts:
//  1. `valkey-restart` (graceful: SIGTERM makes Valkey fsync its AOF), while nobody is clicking;
//  2. a crash: SIGKILL, 1.5 s after the last acknowledged write. With `appendfsync everysec`
//     Valkey writes every acknowledged command to the AOF file before it answers and fsyncs once a
//     second (a write may wait up to 2 s behind a slow fsync, never for a process crash), so
//     waiting more than a second proves the crash path without asserting what a power cut would
//     lose. While it is down the user clicks: the UI must say "Temporarily unavailable —
//     retrying…" (the services answer 503 + Retry-After, the UI retries) and recover by itself,
//     without a reload, once Valkey is back.
// Reported (annotation and printed line): the slowest 503 through the edge while Valkey is down,
// and the time from Valkey answering again to the edge serving the session again.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { Shop, UNAVAILABLE_TEXT } from './fixtures/shop.js';
import { SESSION_COOKIE } from './fixtures/session-cookie.js';
import { expect, test } from './fixtures/test.js';
import { Traffic, type Quantities } from './fixtures/traffic.js';

test('Valkey restart (AOF): carts and logins kept; while it is down the UI says it is retrying', async ({
  page,
  context,
  stack,
  baseURL,
}, testInfo) => {
  const traffic = new Traffic();
  traffic.watch(context, 'browser');
  const shop = new Shop(page);
  await shop.open();
  await shop.signIn('alice', 'alice123');
  expect(await shop.add('apple')).toBe(201);
  expect(await shop.add('pear')).toBe(201);
  const api = new ApiClient(baseURL!, 'api', traffic);
  expect((await api.login('bob', 'bob123')).status).toBe(200);
  expect((await api.add('kiwi', 3)).status).toBe(201);
  const cookie = await sessionCookie();

  // 1. Graceful restart. up() returns once every app reconnected (readiness pings Valkey).
  await stack.valkeyRestart();
  await stack.up();
  await shop.reload();
  await expect(shop.signedInAs('alice')).toBeVisible();
  await shop.expectItemCount(2);
  expect((await api.me()).status).toBe(200);

  // 2. Crash.
  const latencies: number[] = [];
  let recoveryMs: number | undefined;
  await sleep(1_500);
  let valkeyDown = false;
  try {
    await stack.kill('valkey');
    valkeyDown = true;
    const adding = shop.add('banana');
    await expect(shop.status).toHaveText(UNAVAILABLE_TEXT);
    // Not a blank page nor a stack trace: the shop is still drawn, with the cart as it was.
    await expect(page.getByRole('heading', { name: 'Products' })).toBeVisible();
    await shop.expectItemCount(2);
    await expect(shop.alert).toBeEmpty();
    // Measured through the edge with the API client's token (outside `traffic`): how fast a
    // request that needs its session is told 503.
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const reply = await fetch(`${baseURL}/api/cart`, {
        headers: { 'X-Auth-Token': api.token ?? '' },
      });
      latencies.push(performance.now() - started);
      expect(reply.status).toBe(503);
      expect(reply.headers.get('retry-after')).toBe('1');
      expect(((await reply.json()) as { error: { code: string } }).error.code).toBe(
        'SESSION_STORE_UNAVAILABLE',
      );
    }
    // Still retrying a few seconds later.
    await sleep(3_000);
    await expect(shop.status).toHaveText(UNAVAILABLE_TEXT);

    await stack.start('valkey');
    valkeyDown = false;
    // start() returns once Valkey answers PING: from then on, until the edge serves the session.
    const back = performance.now();
    for (;;) {
      const reply = await fetch(`${baseURL}/api/cart`, {
        headers: { 'X-Auth-Token': api.token ?? '' },
      });
      if (reply.ok) break;
      expect(performance.now() - back, 'recovers without restarting anything').toBeLessThan(30_000);
      await sleep(20);
    }
    recoveryMs = performance.now() - back;
    // The retried add goes through on its own: banner gone, banana in the cart, no reload.
    expect(await adding).toBe(201);
    await expect(shop.status).toBeEmpty();
    await shop.expectItemCount(3);
  } finally {
    if (valkeyDown) await stack.start('valkey');
  }

  await shop.reload();
  await expect(shop.signedInAs('alice')).toBeVisible();
  await shop.expectItemCount(3);
  expect(await sessionCookie(), 'the same cookie value').toBe(cookie);
  const me = await api.me();
  expect(me.status).toBe(200);
  expect((me.body as { user: { username: string } }).user.username).toBe('bob');

  const finalCarts = new Map<string, Quantities>([
    ['browser', await shop.quantitiesShown()],
    ['api', await api.quantities()],
  ]);
  const tally = traffic.tally(finalCarts);
  const unavailable = traffic.outcomes.filter((o) => o.status === 503).length;
  reportCounts(testInfo, 'valkey-restart', tally, {
    '503 while Valkey was down': unavailable,
    'max 503 latency ms': Math.round(Math.max(...latencies)),
    'recovery ms': recoveryMs === undefined ? 'none' : Math.round(recoveryMs),
    appliedUnacknowledged: tally.appliedUnacknowledged,
  });
  expect(tally.lost).toBe(0);
  // The only failures are the 503s the UI retried while Valkey was away.
  expect(traffic.failures().filter((o) => o.status !== 503)).toEqual([]);
  // A 503 is sent before anything changed: the retried add was applied exactly once.
  expect(tally.appliedUnacknowledged).toBe(0);

  async function sessionCookie(): Promise<string | undefined> {
    return (await context.cookies()).find((c) => c.name === SESSION_COOKIE)?.value;
  }
});
