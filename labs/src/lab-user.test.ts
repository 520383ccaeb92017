import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { missingItems } from './lab-user.js';

describe('missingItems: acknowledged adds the final cart lacks', () => {
  it('counts per item, so an item acknowledged twice must be there twice', () => {
    assert.equal(missingItems(['apple', 'apple', 'pear'], ['apple', 'pear']), 1);
  });

  it('is 0 when the cart holds every acknowledged add, in any order, plus extras', () => {
    assert.equal(missingItems(['apple', 'pear'], ['pear', 'kiwi', 'apple']), 0);
  });

  it('counts a vanished cart as every acknowledged item', () => {
    assert.equal(missingItems(['apple', 'pear', 'pear'], []), 3);
  });
});
