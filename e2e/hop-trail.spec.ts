// The hop trail, pictured for the README: a few actions in the shop, and the trail (newest first)
// shows which gateway and which service replica answered each of them. Round-robin on every hop
// means consecutive cart requests alternate between cart-1 and cart-2; the test asserts that the
// pictured requests show both, then saves the picture to docs/images/hop-trail.png.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Shop, type Sku } from './fixtures/shop.js';
import { expect, test } from './fixtures/test.js';

const IMAGE = fileURLToPath(new URL('../docs/images/hop-trail.png', import.meta.url));
/** The newest entries the picture shows: always this many, so the image has one size. */
const PICTURED = 6;
const ADDS: Sku[] = ['apple', 'pear', 'banana'];

test('Hop trail: sign-in, adds and a reload are answered by both cart replicas; the README picture', async ({
  page,
}, testInfo) => {
  const shop = new Shop(page);
  await shop.open();
  await shop.signIn('bob', 'bob123');
  for (const sku of ADDS) expect(await shop.add(sku), `add ${sku}`).toBe(201);
  expect(await shop.reloadCart()).toBe(200);
  await shop.expectItemCount(ADDS.length);

  const entries = shop.hopTrail.getByRole('listitem');
  await expect(entries.nth(PICTURED - 1)).toBeVisible();
  const pictured = (await entries.allInnerTexts()).slice(0, PICTURED);
  const replicasIn = (texts: string[]) =>
    new Set(texts.flatMap((text) => text.match(/\b(gateway|cart|account)-\d\b/g) ?? []));
  const shown = replicasIn(pictured);
  expect([...shown].filter((r) => r.startsWith('cart-')).sort(), pictured.join('\n')).toEqual([
    'cart-1',
    'cart-2',
  ]);
  const all = replicasIn(await entries.allInnerTexts());
  expect([...all].filter((r) => r.startsWith('gateway-')).sort()).toEqual([
    'gateway-1',
    'gateway-2',
  ]);

  // From the top of the section (its heading and explanation) to the bottom of the last pictured
  // entry, in whole pixels: the same size on every run. boundingBox() is relative to the viewport,
  // a full-page clip to the page, hence the scroll offset.
  const section = page.getByRole('region', { name: 'Hop trail' });
  const top = await section.boundingBox();
  const last = await entries.nth(PICTURED - 1).boundingBox();
  const scroll = await page.evaluate(() => ({ x: window.scrollX, y: window.scrollY }));
  if (!top || !last) throw new Error('the hop trail is not laid out');
  const x = Math.floor(top.x + scroll.x);
  const y = Math.floor(top.y + scroll.y);
  const clip = {
    x,
    y,
    width: Math.ceil(top.x + scroll.x + top.width) - x,
    height: Math.ceil(last.y + scroll.y + last.height) + 8 - y,
  };
  const picture = await page.screenshot({ clip, fullPage: true, animations: 'disabled' });
  await testInfo.attach('hop-trail.png', { body: picture, contentType: 'image/png' });
  // Like Playwright's own snapshots: written when missing, rewritten with --update-snapshots.
  const update = testInfo.config.updateSnapshots;
  if (!existsSync(IMAGE) || update === 'all' || update === 'changed') {
    mkdirSync(dirname(IMAGE), { recursive: true });
    writeFileSync(IMAGE, picture);
  }
  console.log(
    `hop-trail: pictured=${PICTURED}, replicas=${[...shown].sort().join('+')}, size=${clip.width}x${clip.height}`,
  );
});
