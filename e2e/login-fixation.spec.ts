// Scenario 6 — login and session fixation: signing in keeps the anonymous cart but moves it to a
// new session token (a token planted before the login is worthless after it); signing out
// deletes the session and the cookie.
import { ApiClient, contextCall, quantitiesOf, type CartBody } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { Shop } from './fixtures/shop.js';
import { SESSION_COOKIE } from './fixtures/session-cookie.js';
import { expect, test } from './fixtures/test.js';
import { Traffic } from './fixtures/traffic.js';

test('Login keeps the anonymous cart and changes the cookie; the old value is dead; logout clears both', async ({
  page,
  context,
  browser,
  baseURL,
}, testInfo) => {
  const traffic = new Traffic();
  traffic.watch(context, 'browser');
  const shop = new Shop(page);
  await shop.open();
  expect(await shop.add('apple')).toBe(201);
  expect(await shop.add('apple')).toBe(200);
  const anonymous = await sessionCookie();
  expect(anonymous, 'the first add created a session').toBeTruthy();

  await shop.signIn('alice', 'alice123');
  await shop.expectItemCount(2);
  const signedIn = await sessionCookie();
  expect(signedIn).toBeTruthy();
  expect(signedIn, 'login changes the cookie value').not.toBe(anonymous);
  const afterLogin = await contextCall(page.request, traffic, 'browser', 'GET', '/api/cart');
  const tally = traffic.tally(new Map([['browser', quantitiesOf(afterLogin.body as CartBody)]]));

  // The pre-login value, replayed as a header by an API client, is an unknown token...
  const replay = new ApiClient(baseURL!, 'replay');
  replay.token = anonymous;
  expect((await replay.me()).status).toBe(401);
  expect(((await replay.cart()).body as CartBody).count).toBe(0);
  // ...and as a cookie by another browser: a fresh, empty, signed-out session.
  const attacker = await browser.newContext({ baseURL: baseURL! });
  try {
    // CDP's addCookies always names a Domain, which a __Host- cookie must not have; a script on
    // the shop's own origin can plant one (not HttpOnly, which changes nothing in what is sent).
    const attackerPage = await attacker.newPage();
    await attackerPage.goto('/');
    await attackerPage.evaluate(
      ([name, value]) => {
        document.cookie = `${name}=${value}; Path=/; Secure; SameSite=Lax`;
      },
      [SESSION_COOKIE, anonymous!] as const,
    );
    expect((await attacker.cookies()).find((c) => c.name === SESSION_COOKIE)?.value).toBe(
      anonymous,
    );
    const attackerShop = new Shop(attackerPage);
    await attackerShop.open();
    await expect(attackerShop.accountRegion.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await attackerShop.expectItemCount(0);
  } finally {
    await attacker.close();
  }
  // The new value is the login.
  const holder = new ApiClient(baseURL!, 'holder');
  holder.token = signedIn;
  expect(((await holder.me()).body as { user: { username: string } }).user.username).toBe('alice');

  const logout = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/account/logout',
  );
  await shop.signOut();
  const setCookie = (await (await logout).headerValue('set-cookie')) ?? '';
  expect(setCookie, 'the logout answer expires the cookie').toMatch(
    /^__Host-SESSION=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i,
  );
  expect(await sessionCookie(), 'the browser dropped the cookie').toBeUndefined();
  await shop.expectItemCount(0);
  await shop.reload();
  await expect(shop.accountRegion.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await shop.expectItemCount(0);
  // The session is gone on the server too, not only from this browser.
  expect((await holder.me()).status).toBe(401);

  reportCounts(testInfo, 'login-fixation', {
    ...tally,
    sent: traffic.outcomes.length,
    failed: traffic.failures().length,
  });
  expect(traffic.failures()).toEqual([]);
  expect(tally.lost).toBe(0);

  async function sessionCookie(): Promise<string | undefined> {
    return (await context.cookies()).find((c) => c.name === SESSION_COOKIE)?.value;
  }
});
