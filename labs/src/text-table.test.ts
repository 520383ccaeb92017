import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { table } from './text-table.js';

describe('table', () => {
  it('pads every column to its widest cell and trims line ends', () => {
    assert.equal(
      table([
        ['', 'a', 'b'],
        ['items lost', 36, 0],
      ]),
      '            a   b\nitems lost  36  0',
    );
  });
});
