import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../http/api-error.js';
import { addItemBody, parseInput, parsePathSku, setQuantityBody } from './cart-input.js';

function failure(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the input to be rejected');
}

describe('addItemBody', () => {
  test('accepts a sku and a quantity, and defaults the quantity to 1', () => {
    assert.deepEqual(parseInput(addItemBody, { sku: 'apple', qty: 3 }), { sku: 'apple', qty: 3 });
    assert.deepEqual(parseInput(addItemBody, { sku: 'apple' }), { sku: 'apple', qty: 1 });
  });

  for (const qty of [0, -1, 100, 1.5, '2', null, true]) {
    test(`qty ${JSON.stringify(qty)} is 422 INVALID_QUANTITY naming qty`, () => {
      const err = failure(() => parseInput(addItemBody, { sku: 'apple', qty }));
      assert.equal(err.status, 422);
      assert.equal(err.code, 'INVALID_QUANTITY');
      assert.match(err.message, /^qty: must be an integer from 1 to 99$/);
    });
  }

  for (const sku of ['Apple', 'a b', '', 'x'.repeat(41), 42, undefined]) {
    test(`sku ${JSON.stringify(sku)} is 400 INVALID_SKU naming sku`, () => {
      const err = failure(() => parseInput(addItemBody, { sku, qty: 1 }));
      assert.equal(err.status, 400);
      assert.equal(err.code, 'INVALID_SKU');
      assert.match(err.message, /^sku: /);
    });
  }

  test('an unknown field is 400 UNKNOWN_FIELD naming it, not silently ignored', () => {
    const err = failure(() => parseInput(addItemBody, { sku: 'apple', quantity: 5 }));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'UNKNOWN_FIELD');
    assert.match(err.message, /quantity/);
  });

  for (const body of [[], 'apple', null, undefined]) {
    test(`a body of ${JSON.stringify(body)} is 400 INVALID_BODY`, () => {
      const err = failure(() => parseInput(addItemBody, body));
      assert.equal(err.status, 400);
      assert.equal(err.code, 'INVALID_BODY');
    });
  }
});

describe('setQuantityBody', () => {
  test('accepts 0 (remove) to 99 and requires qty', () => {
    assert.deepEqual(parseInput(setQuantityBody, { qty: 0 }), { qty: 0 });
    assert.deepEqual(parseInput(setQuantityBody, { qty: 99 }), { qty: 99 });
    assert.equal(failure(() => parseInput(setQuantityBody, {})).code, 'INVALID_QUANTITY');
    assert.match(failure(() => parseInput(setQuantityBody, { qty: -1 })).message, /from 0 to 99/);
  });
});

describe('parsePathSku', () => {
  test('names the path parameter it checks', () => {
    assert.equal(parsePathSku('pear', 'item'), 'pear');
    const err = failure(() => parsePathSku('Pear!', 'item'));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'INVALID_ITEM');
    assert.equal(failure(() => parsePathSku(undefined, 'sku')).code, 'INVALID_SKU');
  });
});
