import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SKU_PATTERN } from '../cart/cart-input.js';
import { ApiError } from '../http/api-error.js';
import { Catalog, DEMO_PRODUCTS } from './catalog.js';

describe('the demo catalog', () => {
  test("holds 6-10 products, among them the article's apple and pear", () => {
    assert.ok(DEMO_PRODUCTS.length >= 6 && DEMO_PRODUCTS.length <= 10);
    const skus = DEMO_PRODUCTS.map((p) => p.sku);
    assert.ok(skus.includes('apple') && skus.includes('pear'));
    assert.equal(new Set(skus).size, skus.length, 'skus are unique');
  });

  test('every sku is one a client can send, every price whole positive cents', () => {
    for (const product of DEMO_PRODUCTS) {
      assert.match(product.sku, SKU_PATTERN);
      assert.ok(Number.isSafeInteger(product.price) && product.price > 0, product.sku);
      assert.ok(product.name.length > 0);
    }
  });
});

describe('Catalog', () => {
  const catalog = new Catalog([
    { sku: 'apple', name: 'Apple', price: 60, emoji: '🍎' },
    { sku: 'pear', name: 'Pear', price: 75, emoji: '🍐' },
  ]);

  test('finds a product by sku', () => {
    assert.equal(catalog.find('pear')?.price, 75);
    assert.equal(catalog.find('kiwi'), undefined);
  });

  test('require() of an unknown sku is a 404 that lists the known ones', () => {
    assert.throws(
      () => catalog.require('kiwi'),
      (err: unknown) =>
        err instanceof ApiError &&
        err.status === 404 &&
        err.code === 'UNKNOWN_SKU' &&
        err.message.includes('apple, pear'),
    );
    assert.throws(() => catalog.require('kiwi', 'item'), { code: 'UNKNOWN_ITEM' });
  });
});
