import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes, percent, table, times } from './table.js';

test('table pads columns the way Prettier prints a Markdown table', () => {
  const out = table(
    ['route', 'req/s'],
    [
      ['`GET /cart`', '1,234'],
      ['x', '5'],
    ],
    ['left', 'right'],
  );
  assert.equal(
    out,
    [
      '| route       | req/s |',
      '| ----------- | ----: |',
      '| `GET /cart` | 1,234 |',
      '| x           |     5 |',
    ].join('\n'),
  );
});

test('narrow columns are at least three dashes wide', () => {
  assert.equal(table(['a'], [['b']]), '| a   |\n| --- |\n| b   |');
});

test('number formats say n/a rather than NaN', () => {
  assert.equal(percent(0.8734), '87.3%');
  assert.equal(times(1.5), '1.50x');
  assert.equal(bytes(336), '336 B');
  assert.equal(percent(Number.NaN), 'n/a');
});
