import assert from 'node:assert/strict';
import { it } from 'node:test';
import { planSchedule } from './schedule.js';
import { SeededRandom } from './seeded-random.js';

const input = {
  durationMs: 120_000,
  replicas: ['gateway-1', 'gateway-2', 'cart-1', 'cart-2'],
  links: ['nginx>cart-1', 'cart-1>valkey'],
  sentinel: true,
};

it('a seed replays its schedule: one fault at a time, inside the run, at most one failover', () => {
  const a = planSchedule(new SeededRandom(42), input);
  assert.deepEqual(planSchedule(new SeededRandom(42), input), a);
  assert.notDeepEqual(planSchedule(new SeededRandom(43), input), a);
  assert.ok(a.length >= 10);
  for (let i = 1; i < a.length; i++) assert.ok(a[i]!.atMs >= a[i - 1]!.atMs + a[i - 1]!.holdMs);
  assert.ok(a.at(-1)!.atMs < input.durationMs);
  for (const seed of [1, 2, 3, 4, 5]) {
    const failovers = planSchedule(new SeededRandom(seed), input).filter(
      (s) => s.fault.kind === 'sentinel-failover',
    );
    assert.ok(failovers.length <= 1);
  }
});
