// Scenario 10 — the session cookie's name and attributes. The shared stack runs with the
// platform's secure default (COOKIE_SECURE=true: the plain-HTTP opt-out is off) and the browser
// talks to http://localhost, which Chromium treats as a secure context: it accepts and sends a
// Secure cookie there, so the whole suite runs on the cookie a production deployment would set.
import { contextCall, quantitiesOf, type CartBody } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { Shop } from './fixtures/shop.js';
import { SESSION_COOKIE } from './fixtures/session-cookie.js';
import { expect, test } from './fixtures/test.js';
import { Traffic } from './fixtures/traffic.js';

test('Cookie attributes: __Host- prefix, HttpOnly, SameSite=Lax, Path=/, Secure, never readable from page script', async ({
  page,
  context,
}, testInfo) => {
  const traffic = new Traffic();
  traffic.watch(context, 'browser');
  const shop = new Shop(page);
  await shop.open();
  expect(await page.evaluate(() => window.isSecureContext)).toBe(true);

  const created = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/cart/items',
  );
  expect(await shop.add('apple')).toBe(201);
  const response = await created;
  const setCookie = (await response.headerValue('set-cookie')) ?? '';
  // Secure, so the name carries the __Host- prefix: the browser keeps such a cookie only when it
  // is Secure, Path=/ and has no Domain, so a sibling subdomain cannot plant or overwrite it.
  expect(setCookie).toMatch(/^__Host-SESSION=[A-Za-z0-9_-]{43};/);
  expect(setCookie).not.toMatch(/;\s*Domain=/i);
  for (const attribute of [
    /;\s*HttpOnly(;|$)/i,
    /;\s*SameSite=Lax(;|$)/i,
    /;\s*Path=\/(;|$)/i,
    /;\s*Secure(;|$)/i,
  ]) {
    expect(setCookie).toMatch(attribute);
  }
  // The token reaches the browser only as that cookie, never in a header a script could read.
  expect(await response.headerValue('x-auth-token')).toBeNull();

  const expectCookie = async () => {
    const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({
      domain: 'localhost',
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
    });
    // Not a persistent cookie: it ends with the browser session (or the server's TTL).
    expect(cookie?.expires).toBe(-1);
    expect(await page.evaluate(() => document.cookie)).not.toContain(SESSION_COOKIE);
    return cookie!.value;
  };
  const anonymous = await expectCookie();

  // Everything works on the Secure cookie: sign in (a new value, same attributes), add, reload.
  await shop.signIn('alice', 'alice123');
  const signedIn = await expectCookie();
  expect(signedIn).not.toBe(anonymous);
  expect(await shop.add('pear')).toBe(201);
  await shop.reload();
  await expect(shop.signedInAs('alice')).toBeVisible();
  await shop.expectItemCount(2);
  expect(await page.evaluate(() => document.cookie)).toBe('');

  const final = await contextCall(page.request, traffic, 'browser', 'GET', '/api/cart');
  const tally = traffic.tally(new Map([['browser', quantitiesOf(final.body as CartBody)]]));
  reportCounts(testInfo, 'cookie-attributes', tally);
  expect(traffic.failures()).toEqual([]);
  expect(tally.lost).toBe(0);
});
