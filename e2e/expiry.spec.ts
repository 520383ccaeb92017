// Scenario 7 — sliding expiry. The inactivity timeout is the session key's TTL in Valkey, and
// every request that resolves the session refreshes it. This spec runs a small stack of its own
// with SESSION_MAX_INACTIVE_SECONDS=4 (a 4 s timeout on the shared stack would expire the other
// scenarios' sessions whenever a restart takes longer than that), and stops it afterwards.
// Two users sign in and add to their carts; one goes idle for 6 s, the other keeps reading its
// cart once a second for 9 s (more than twice the timeout).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from '@playwright/test';
import type { Stack } from '@baton/stack';
import { reportCounts } from './fixtures/counts.js';
import { Shop } from './fixtures/shop.js';
import { browserUrl, withOwnStack } from './fixtures/stack-handle.js';
import { expect, test } from './fixtures/test.js';
import { Traffic, type Quantities } from './fixtures/traffic.js';

const TIMEOUT_S = 4;
const IDLE_MS = 6_000;
const ACTIVE_MS = 9_000;
const TOUCH_EVERY_MS = 1_000;

test('Expiry: an idle session expires, an active one keeps sliding', async ({
  browser,
}, testInfo) => {
  await withOwnStack(
    { COOKIE_SECURE: 'true', SESSION_MAX_INACTIVE_SECONDS: String(TIMEOUT_S) },
    testInfo,
    async (stack) => {
      const traffic = new Traffic();
      const idle = await openShop(browser, stack, traffic, 'idle');
      const active = await openShop(browser, stack, traffic, 'active');
      try {
        await idle.signIn('alice', 'alice123');
        expect(await idle.add('apple')).toBe(201);
        await active.signIn('bob', 'bob123');
        expect(await active.add('pear')).toBe(201);

        // The idle user does nothing; meanwhile the active one reads its cart every second.
        const idleSince = Date.now();
        const activeUntil = Date.now() + ACTIVE_MS;
        while (Date.now() < activeUntil) {
          await sleep(TOUCH_EVERY_MS);
          expect(await active.reloadCart()).toBe(200);
          await active.expectItemCount(1);
        }
        expect(Date.now() - idleSince).toBeGreaterThanOrEqual(IDLE_MS);

        await idle.reload();
        await expect(idle.accountRegion.getByRole('button', { name: 'Sign in' })).toBeVisible();
        await idle.expectItemCount(0);

        await active.reload();
        await expect(active.signedInAs('bob')).toBeVisible();
        await active.expectItemCount(1);

        const finalCarts = new Map<string, Quantities>([
          ['active', await active.quantitiesShown()],
        ]);
        const tally = traffic.tally(finalCarts);
        const expired = [...traffic.acknowledged('idle').values()].reduce((a, b) => a + b, 0);
        reportCounts(testInfo, 'expiry', tally, {
          timeoutS: TIMEOUT_S,
          'expired with the idle session': expired,
        });
        expect(traffic.failures()).toEqual([]);
        expect(tally.lost).toBe(0);
      } finally {
        await idle.page.context().close();
        await active.page.context().close();
      }
    },
  );
});

/** A new browser context (its own cookie jar) on `stack`, with the shop open. @private */
async function openShop(
  browser: Browser,
  stack: Stack,
  traffic: Traffic,
  label: string,
): Promise<Shop> {
  const context = await browser.newContext({ baseURL: browserUrl(stack) });
  traffic.watch(context, label);
  const shop = new Shop(await context.newPage());
  await shop.open();
  return shop;
}
