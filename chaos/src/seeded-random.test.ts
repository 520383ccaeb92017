import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SeededRandom } from './seeded-random.js';

it('the same seed gives the same sequence, another seed another one', () => {
  const draw = (seed: number) => {
    const random = new SeededRandom(seed);
    return Array.from({ length: 20 }, () => random.int(0, 1000));
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  for (const value of draw(9)) assert.ok(value >= 0 && value <= 1000);
});
