import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../http/api-error.js';
import { forgetSaved, saveForLater } from './saved-for-later.js';

describe('saved for later', () => {
  it('moves a line with its quantity, once; an absent sku is saved as 1', () => {
    const cart = {
      lines: [
        { sku: 'apple', qty: 3 },
        { sku: 'pear', qty: 1 },
      ],
      saved: [],
    };
    const once = saveForLater(cart, 'apple');
    assert.deepEqual(once, { lines: [{ sku: 'pear', qty: 1 }], saved: [{ sku: 'apple', qty: 3 }] });
    assert.equal(saveForLater(once, 'apple'), once, 'saved already: unchanged');
    assert.deepEqual(saveForLater(once, 'kiwi').saved, [
      { sku: 'apple', qty: 3 },
      { sku: 'kiwi', qty: 1 },
    ]);
    assert.deepEqual(forgetSaved(once, 'apple'), { lines: once.lines, saved: [] });
  });

  it('holds at most as many products as a cart', () => {
    const full = {
      lines: [],
      saved: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 1 },
      ],
    };
    assert.throws(
      () => saveForLater(full, 'c', { maxLines: 2, maxQtyPerLine: 99 }),
      (err: unknown) => err instanceof ApiError && err.code === 'SAVED_FULL',
    );
  });
});
