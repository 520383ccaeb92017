// The fleet view, fed by the heartbeats each replica writes to Valkey: a SIGKILLed replica shows
// as gone within 3 s (its heartbeat's TTL runs out; nothing tells the view), one added by
// `scale` appears, and `deploy` shows the new build on the replicas that replace the old ones.
// The session panel shows this browser's own session key, never its token. During a rolling
// restart the view is pictured for the README (docs/images/fleet-view.png). On a stack of its
// own: deploy renames the replicas, and the later specs count on cart-1 and cart-2.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, TestInfo } from '@playwright/test';
import { SESSION_COOKIE } from './fixtures/session-cookie.js';
import { Shop } from './fixtures/shop.js';
import { MAIN_STACK_ENV, browserUrl, withOwnStack } from './fixtures/stack-handle.js';
import { expect, test } from './fixtures/test.js';

const IMAGE = fileURLToPath(new URL('../docs/images/fleet-view.png', import.meta.url));
/** The promise: a killed replica is shown as gone within this. */
const GONE_WITHIN_MS = 3_000;
const STARTING_FLEET = ['gateway-1', 'gateway-2', 'account-1', 'account-2', 'cart-1', 'cart-2'];

test('Fleet view: a killed replica is gone within 3 s, a scaled-out one appears, a deploy shows its build; the session panel never shows the token', async ({
  page,
}, testInfo) => {
  await withOwnStack(MAIN_STACK_ENV, testInfo, async (stack) => {
    const shop = new Shop(page);
    await page.goto(browserUrl(stack));
    await shop.waitUntilLoaded();
    const fleet = page.getByRole('region', { name: 'Fleet' });
    for (const name of STARTING_FLEET) await expect(stateOf(fleet, name)).toHaveText('ready');

    // The session panel: this browser's key, its fields with sizes, a TTL that runs down.
    expect(await shop.add('apple')).toBe(201);
    const panel = page.getByRole('region', { name: 'Your session in Valkey' });
    await expect(panel.getByRole('rowheader', { name: 'a:cart' })).toBeVisible();
    await expect(panel.locator('code.session-key')).toHaveText(
      /^myplatform:sessions:sessions:\{[\w-]+\}$/,
    );
    const ttlMs = async () =>
      Number(await panel.locator('#session-ttl').getAttribute('data-ttl-ms'));
    const first = await ttlMs();
    await expect.poll(ttlMs, { message: 'the TTL counts down' }).toBeLessThan(first - 500);
    const token = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)?.value;
    expect(token, 'the browser holds a session token').toBeTruthy();
    expect(await page.content(), 'the page never shows the token').not.toContain(token!);

    // SIGKILL: no goodbye, so only the heartbeat's TTL can tell.
    await stack.kill('cart-2');
    await expect(stateOf(fleet, 'cart-2')).toHaveText('gone', { timeout: GONE_WITHIN_MS });
    await stack.start('cart-2');
    await expect(stateOf(fleet, 'cart-2')).toHaveText('ready');

    await stack.scale('cart', 3);
    await expect(stateOf(fleet, 'cart-3')).toHaveText('ready');
    await stack.scale('cart', 2);
    await expect(stateOf(fleet, 'cart-3')).toHaveText('gone');

    // While every replica restarts in turn, picture the view once one is not ready.
    const restarting = stack.rollingRestart();
    const unready = fleet.getByRole('row').filter({ hasText: /draining|gone/ });
    await expect(unready.filter({ hasNotText: 'cart-3' }).first()).toBeVisible({ timeout: 30_000 });
    await picture(fleet, testInfo);
    await restarting;

    const version = `e2e-${Date.now().toString(36)}`;
    await stack.deploy('cart', { version });
    const carts = (await stack.status()).filter((entry) => entry.service === 'cart');
    expect(carts).toHaveLength(2);
    for (const { name } of carts) {
      await expect(stateOf(fleet, name)).toHaveText('ready');
      await expect(rowOf(fleet, name).getByRole('cell').nth(1)).toHaveText(version);
    }
    const shown = await fleet.getByRole('row').allInnerTexts();
    console.log(`fleet-view: after deploy ${version}:\n${shown.join('\n')}`);
  });
});

function rowOf(fleet: Locator, name: string): Locator {
  return fleet
    .getByRole('row')
    .filter({ has: fleet.page().getByRole('rowheader', { name, exact: true }) });
}

function stateOf(fleet: Locator, name: string): Locator {
  return rowOf(fleet, name).locator('.state');
}

/** The fleet section, written to docs/images when missing or with --update-snapshots. @private */
async function picture(fleet: Locator, testInfo: TestInfo): Promise<void> {
  const image = await fleet.screenshot({ animations: 'disabled' });
  await testInfo.attach('fleet-view.png', { body: image, contentType: 'image/png' });
  const update = testInfo.config.updateSnapshots;
  if (!existsSync(IMAGE) || update === 'all' || update === 'changed') {
    mkdirSync(dirname(IMAGE), { recursive: true });
    writeFileSync(IMAGE, image);
  }
}
