import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Catalog } from '../catalog/catalog.js';
import { ApiError } from '../http/api-error.js';
import { type Cart, addItem, itemNames, priceCart, removeItem, setQuantity } from './cart.js';

const catalog = new Catalog();

/** Carts come out of the session deep-frozen; the functions must never mutate them. */
function frozen(lines: { sku: string; qty: number }[]): Cart {
  return Object.freeze(lines.map((line) => Object.freeze({ ...line })));
}

function rejectsWith(fn: () => unknown, status: number, code: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    return true;
  });
}

describe('addItem', () => {
  test('appends a new sku as a line at the end, keeping insertion order', () => {
    const cart = frozen([{ sku: 'pear', qty: 1 }]);
    assert.deepEqual(addItem(cart, 'apple', 3), [
      { sku: 'pear', qty: 1 },
      { sku: 'apple', qty: 3 },
    ]);
  });

  test('adds to the existing line in place instead of adding a second line', () => {
    const cart = frozen([
      { sku: 'apple', qty: 2 },
      { sku: 'pear', qty: 1 },
    ]);
    assert.deepEqual(addItem(cart, 'apple', 3), [
      { sku: 'apple', qty: 5 },
      { sku: 'pear', qty: 1 },
    ]);
  });

  test('refuses to push a line past the per-line maximum', () => {
    rejectsWith(
      () => addItem(frozen([{ sku: 'apple', qty: 98 }]), 'apple', 2),
      422,
      'QUANTITY_LIMIT_EXCEEDED',
    );
    assert.deepEqual(addItem(frozen([{ sku: 'apple', qty: 98 }]), 'apple', 1), [
      { sku: 'apple', qty: 99 },
    ]);
  });

  test('refuses a new line when the cart holds the most lines it may', () => {
    const limits = { maxLines: 2, maxQtyPerLine: 99 };
    const full = frozen([
      { sku: 'apple', qty: 1 },
      { sku: 'pear', qty: 1 },
    ]);
    rejectsWith(() => addItem(full, 'kiwi', 1, limits), 422, 'CART_FULL');
    // Growing an existing line is still fine.
    assert.equal(addItem(full, 'pear', 1, limits)[1]?.qty, 2);
  });
});

describe('setQuantity', () => {
  const cart = frozen([
    { sku: 'apple', qty: 2 },
    { sku: 'pear', qty: 1 },
  ]);

  test('sets the quantity of a line, keeping its position', () => {
    assert.deepEqual(setQuantity(cart, 'apple', 7), [
      { sku: 'apple', qty: 7 },
      { sku: 'pear', qty: 1 },
    ]);
  });

  test('0 removes the line', () => {
    assert.deepEqual(setQuantity(cart, 'apple', 0), [{ sku: 'pear', qty: 1 }]);
  });

  test('a sku not in the cart is 404 NOT_IN_CART, a quantity over the limit 422', () => {
    rejectsWith(() => setQuantity(cart, 'kiwi', 1), 404, 'NOT_IN_CART');
    rejectsWith(() => setQuantity(cart, 'apple', 100), 422, 'QUANTITY_LIMIT_EXCEEDED');
  });
});

describe('removeItem', () => {
  test('removes the line, and leaves a cart without it as it was', () => {
    const cart = frozen([
      { sku: 'apple', qty: 2 },
      { sku: 'pear', qty: 1 },
    ]);
    assert.deepEqual(removeItem(cart, 'apple'), [{ sku: 'pear', qty: 1 }]);
    assert.deepEqual(removeItem(cart, 'kiwi'), cart);
  });
});

describe('views', () => {
  const cart = frozen([
    { sku: 'apple', qty: 2 },
    { sku: 'retired-sku', qty: 4 },
    { sku: 'pear', qty: 1 },
  ]);

  test("itemNames expands quantities in line order (the article's cart array)", () => {
    assert.deepEqual(itemNames(cart, catalog), ['apple', 'apple', 'pear']);
  });

  test('priceCart prices lines from the catalog in integer cents', () => {
    assert.deepEqual(priceCart(cart, catalog), {
      currency: 'EUR',
      lines: [
        { sku: 'apple', name: 'Apple', qty: 2, price: 60, lineTotal: 120 },
        { sku: 'pear', name: 'Pear', qty: 1, price: 75, lineTotal: 75 },
      ],
      total: 195,
      count: 3,
    });
  });

  test('an empty cart prices to zero', () => {
    assert.deepEqual(priceCart([], catalog), { currency: 'EUR', lines: [], total: 0, count: 0 });
  });
});
