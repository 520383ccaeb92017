// Scenario 11 — sessions and live updates (issue #5). "Sign out everywhere else" on one device ends
// the other device's session at once: its next request is 401 and its `/ws` socket is closed with
// 4001 within 2 s, which the page shows. A cart change in one tab is pushed over `/ws` to another
// tab of the same browser and drawn there without a reload.
import type { Page, WebSocket } from '@playwright/test';
import { ApiClient, contextCall, quantitiesOf, type CartBody } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { Shop } from './fixtures/shop.js';
import { expect, test } from './fixtures/test.js';
import { Traffic } from './fixtures/traffic.js';

/** The longest a revoked device's socket may stay open after "Sign out everywhere else". */
const CLOSE_WITHIN_MS = 2_000;
/** The longest a pushed cart may take to be drawn in the other tab. */
const PUSH_WITHIN_MS = 5_000;
const REVOKED_TEXT = 'This session was signed out from another device.';

test.describe('Sessions and live updates', () => {
  test('Sign out everywhere else: the other device gets 401 and its socket closes with 4001 within 2 s', async ({
    browser,
    baseURL,
  }, testInfo) => {
    // Earlier scenarios leave alice signed in elsewhere (their sessions live on in Valkey for the
    // idle timeout): start from none, so the list holds exactly this scenario's two devices.
    const setup = new ApiClient(baseURL!, 'setup');
    expect((await setup.login('alice', 'alice123')).status).toBe(200);
    expect((await setup.send('POST', '/api/account/sessions/revoke-others')).status).toBe(200);
    expect((await setup.send('POST', '/api/account/logout')).status).toBe(204);

    const traffic = new Traffic();
    const deviceA = await browser.newContext({ baseURL: baseURL! });
    const deviceB = await browser.newContext({ baseURL: baseURL! });
    try {
      traffic.watch(deviceA, 'deviceA');
      traffic.watch(deviceB, 'deviceB');
      const a = new Shop(await deviceA.newPage());
      const b = new Shop(await deviceB.newPage());
      const socketsOfB = watchSockets(b.page);
      await a.open();
      await b.open();
      await a.signIn('alice', 'alice123');
      await b.signIn('alice', 'alice123');
      // B's socket after its sign-in names the signed-in session ("on" comes with the hello).
      await expect(liveStatus(b.page)).toHaveText(/^Live updates: on \(gateway-\d\)$/);
      await expect(liveStatus(a.page)).toHaveText(/^Live updates: on \(gateway-\d\)$/);

      // A's list (loaded when A signed in, before B did): refreshed, it shows both devices.
      const sessions = a.page.getByRole('region', { name: 'Your sessions' });
      await sessions.getByRole('button', { name: 'Refresh sessions', exact: true }).click();
      const table = sessions.getByRole('table');
      await expect(table).toHaveAccessibleName('2 signed-in sessions');
      const rows = table.getByRole('row').filter({ has: a.page.getByRole('rowheader') });
      await expect(rows).toHaveCount(2);
      await expect(rows.filter({ hasText: 'This device' })).toHaveCount(1);
      await expect(sessions.getByText('This device', { exact: true })).toHaveCount(1);
      await expect(sessions.getByRole('button', { name: /^Revoke session from / })).toHaveCount(1);

      const open = socketsOfB.filter((s) => !s.socket.isClosed());
      expect(open, 'device B holds exactly one open /ws socket').toHaveLength(1);
      const bSocket = open[0]!;

      const revoke = a.page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/api/account/sessions/revoke-others',
      );
      const clickedAt = Date.now();
      await sessions.getByRole('button', { name: 'Sign out everywhere else', exact: true }).click();
      const revokeAnswer = await revoke;
      const answeredAt = Date.now();
      expect(revokeAnswer.status()).toBe(200);
      expect(await revokeAnswer.json()).toEqual({ revoked: 1 });

      // B's socket closes by itself (B sends nothing meanwhile), measured from the click.
      const closedAt = await Promise.race([
        bSocket.closed,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), CLOSE_WITHIN_MS + 3_000)),
      ]);
      expect(closedAt, 'device B socket closed').not.toBeNull();
      const closeMs = closedAt! - clickedAt;
      // The page shows the message it has for close code 4001 and is signed out, cart emptied.
      await expect(b.alert).toHaveText(REVOKED_TEXT);
      await expect(b.accountRegion.getByRole('button', { name: 'Sign in' })).toBeVisible();
      await b.expectItemCount(0);
      await expect(liveStatus(b.page)).toHaveText(
        'Live updates: off until you add something or sign in',
      );

      // B's next API request: 401. A is still signed in, its own socket untouched.
      const meOfB = await contextCall(b.page.request, traffic, 'deviceB', 'GET', '/api/account/me');
      expect(meOfB.status).toBe(401);
      const meOfA = await contextCall(a.page.request, traffic, 'deviceA', 'GET', '/api/account/me');
      expect(meOfA.status).toBe(200);
      expect((meOfA.body as { user: { username: string } }).user.username).toBe('alice');
      await expect(a.alert).toHaveText('Signed out 1 other session.');
      await expect(table).toHaveAccessibleName('1 signed-in session');
      await expect(a.signedInAs('alice')).toBeVisible();
      await expect(liveStatus(a.page)).toHaveText(/^Live updates: on \(gateway-\d\)$/);

      const tally = traffic.tally(new Map());
      reportCounts(testInfo, 'sessions-revoke', tally, {
        revoked: 1,
        closeMs,
        revokeRoundTripMs: answeredAt - clickedAt,
      });
      expect(traffic.failures()).toEqual([]);
      expect(closeMs, `socket closed ${closeMs} ms after the click`).toBeLessThanOrEqual(
        CLOSE_WITHIN_MS,
      );
    } finally {
      await deviceA.close();
      await deviceB.close();
    }
  });

  test('A cart change in one tab appears in the other tab without a reload', async ({
    context,
  }, testInfo) => {
    const traffic = new Traffic();
    traffic.watch(context, 'tabs');
    // Both tabs open before the browser has a session: B's first socket is refused (4401), and
    // A's first add (which creates the session) must bring B's live updates on by itself.
    const tabA = new Shop(await context.newPage());
    await tabA.open();
    const tabB = new Shop(await context.newPage());
    await tabB.open();
    await expect(liveStatus(tabB.page)).toHaveText(/^Live updates: off/);
    expect(await tabA.add('apple')).toBe(201);
    await tabB.expectItemCount(1);
    await expect(liveStatus(tabB.page)).toHaveText(/^Live updates: on \(gateway-\d\)$/);
    // A reload would start a new document and lose this mark; navigations are counted too.
    await tabB.page.evaluate(() => {
      (window as unknown as { e2eMark?: string }).e2eMark = 'no reload';
    });
    let navigationsOfB = 0;
    tabB.page.on('framenavigated', (frame) => {
      if (frame === tabB.page.mainFrame()) navigationsOfB += 1;
    });

    const kiwiRow = tabB.cartTable
      .getByRole('row')
      .filter({ has: tabB.page.getByRole('rowheader', { name: 'Kiwi', exact: true }) });
    const addedAt = Date.now();
    expect(await tabA.add('kiwi')).toBe(201);
    const ackMs = Date.now() - addedAt;
    await expect(kiwiRow).toBeVisible({ timeout: PUSH_WITHIN_MS });
    const shownMs = Date.now() - addedAt;
    await tabB.expectItemCount(2);
    expect(await tabA.add('kiwi')).toBe(200);
    await expect(tabB.cartTable).toHaveAccessibleName('3 items in your cart', {
      timeout: PUSH_WITHIN_MS,
    });
    expect(await tabB.quantitiesShown()).toEqual(
      new Map([
        ['apple', 1],
        ['kiwi', 2],
      ]),
    );
    expect(
      await tabB.page.evaluate(() => (window as unknown as { e2eMark?: string }).e2eMark),
    ).toBe('no reload');
    expect(navigationsOfB).toBe(0);

    const cart = await contextCall(tabA.page.request, traffic, 'tabs', 'GET', '/api/cart');
    const tally = traffic.tally(new Map([['tabs', quantitiesOf(cart.body as CartBody)]]));
    reportCounts(testInfo, 'live-cart', tally, { ackMs, shownInOtherTabMs: shownMs });
    expect(traffic.failures()).toEqual([]);
    expect(tally.lost).toBe(0);
    expect(tally.appliedUnacknowledged).toBe(0);
  });
});

/** "Live updates: on (gateway-2)" under the cart title. */
function liveStatus(page: Page) {
  return page.getByRole('region', { name: 'Your cart' }).getByText(/^Live updates: /);
}

interface WatchedSocket {
  socket: WebSocket;
  /** When Playwright saw the socket close (Date.now()). */
  closed: Promise<number>;
}

/** Every `/ws` socket the page opens, with the moment each one closes. */
function watchSockets(page: Page): WatchedSocket[] {
  const sockets: WatchedSocket[] = [];
  page.on('websocket', (socket) => {
    if (new URL(socket.url()).pathname !== '/ws') return;
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    sockets.push({ socket, closed });
  });
  return sockets;
}
