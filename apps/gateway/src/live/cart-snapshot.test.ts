import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionRecord } from '@baton/session';
import { CART_ATTRIBUTE, cartSnapshotOf } from './cart-snapshot.js';

/** A loaded session whose `cart` attribute Valkey holds as `json`. */
const sessionWith = (json: string): SessionRecord => ({
  id: 'id',
  createdAt: 0,
  lastAccessedAt: 0,
  maxInactiveMs: 1_800_000,
  attributes: new Map([[CART_ATTRIBUTE, { json, value: JSON.parse(json) as unknown }]]),
});

const expected = {
  lines: [
    { sku: 'kiwi', qty: 2 },
    { sku: '7', qty: 1 },
  ],
  count: 3,
};

describe('cartSnapshotOf', () => {
  test('reads the lines in every format cart-service writes or wrote, in order', () => {
    const objects = '[{"sku":"kiwi","qty":2},{"sku":"7","qty":1}]';
    for (const json of [
      '{"lines":["kiwi",2,"7",1]}',
      '{"@v":2,"lines":["kiwi",2,"7",1],"saved":[{"sku":"pear","qty":1}]}',
      `{"lines":${objects}}`,
      `{"@v":2,"lines":${objects},"saved":[]}`,
      `{"lines":${objects},"writes":[]}`,
      objects,
    ]) {
      assert.deepEqual(cartSnapshotOf(sessionWith(json)), expected, json);
    }
  });

  test('a value cart-service did not write reads as an empty cart', () => {
    for (const json of [
      '{"lines":["kiwi"]}',
      '{"lines":["kiwi",0]}',
      '{"lines":[2,"kiwi"]}',
      '{"lines":["kiwi",2,{"sku":"7","qty":1}]}',
      '{"not":"a cart"}',
      '"kiwi"',
    ]) {
      assert.deepEqual(cartSnapshotOf(sessionWith(json)), { lines: [], count: 0 }, json);
    }
  });
});
