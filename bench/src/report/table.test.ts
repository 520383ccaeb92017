import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes, figure, percent, render, text, times } from './table.js';

test('render pads columns the way Prettier prints a Markdown table', () => {
  const out = render(
    [text<[string, string]>('route', (r) => r[0]), figure<[string, string]>('req/s', (r) => r[1])],
    [
      ['`GET /cart`', '1,234'],
      ['x', '5'],
    ],
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
  assert.equal(render([text<string>('a', (r) => r)], ['b']), '| a   |\n| --- |\n| b   |');
});

test('number formats say n/a rather than NaN', () => {
  assert.equal(percent(0.8734), '87.3%');
  assert.equal(times(1.5), '1.50x');
  assert.equal(bytes(336), '336 B');
  assert.equal(percent(Number.NaN), 'n/a');
});
