import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Cart } from './cart.js';
import { encodeLines, storedLines } from './line-format.js';

const cart: Cart = [
  { sku: 'kiwi', qty: 2 },
  { sku: '7', qty: 1 },
  { sku: 'apple', qty: 99 },
];

/** What a replica reads back from Valkey: the encoded lines through JSON text and the parser. */
const roundTrip = (encoded: unknown) => storedLines.parse(JSON.parse(JSON.stringify(encoded)));

describe('line formats', () => {
  test('pairs: sku then quantity, in first-added order', () => {
    assert.equal(JSON.stringify(encodeLines(cart, 'pairs')), '["kiwi",2,"7",1,"apple",99]');
  });

  test('objects: what releases before pairs wrote, byte for byte', () => {
    assert.equal(
      JSON.stringify(encodeLines(cart, 'objects')),
      '[{"sku":"kiwi","qty":2},{"sku":"7","qty":1},{"sku":"apple","qty":99}]',
    );
  });

  test('both read back as the same lines, in the same order', () => {
    assert.deepEqual(roundTrip(encodeLines(cart, 'pairs')), cart);
    assert.deepEqual(roundTrip(encodeLines(cart, 'objects')), cart);
    assert.deepEqual(roundTrip([]), []);
  });

  test('a map would not keep the order: why the lines are pairs', () => {
    const map = JSON.parse(JSON.stringify(Object.fromEntries(cart.map((l) => [l.sku, l.qty]))));
    assert.deepEqual(Object.keys(map), ['7', 'kiwi', 'apple']);
  });

  test('pairs are half the bytes of objects for the bench cart', () => {
    const skus = ['apple', 'pear', 'banana', 'orange', 'lemon', 'kiwi', 'grapes', 'cherries'];
    const bench = skus.map((sku, i) => ({ sku, qty: i < 2 ? 2 : 1 }));
    const pairs = JSON.stringify(encodeLines(bench, 'pairs')).length;
    const objects = JSON.stringify(encodeLines(bench, 'objects')).length;
    assert.ok(pairs * 2 <= objects, `pairs ${pairs} B, objects ${objects} B`);
  });

  test('anything else is refused, not half read', () => {
    for (const bad of [
      ['apple'],
      ['apple', 0],
      ['apple', 1.5],
      [2, 'apple'],
      ['', 1],
      ['apple', 1, 'pear'],
      [{ sku: 'apple', qty: 1 }, 'pear', 1],
      [{ sku: 'apple' }],
      [null],
      'apple',
    ]) {
      assert.equal(storedLines.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
