import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkLinks } from './docs.js';
import { isRunnable, parseMarkdown, slugOf, timeoutMsOf } from './markdown.js';

describe('parseMarkdown', () => {
  it('finds links outside code only, with their lines', () => {
    const parsed = parseMarkdown(
      [
        '# Title',
        'See [a](a.md) and `[not](x.md)`.',
        '```sh runnable',
        'echo [no](link.md)',
        '```',
        '[ref]: ../b.md#L3',
      ].join('\n'),
    );
    assert.deepEqual(parsed.links, [
      { target: 'a.md', line: 2 },
      { target: '../b.md#L3', line: 6 },
    ]);
    assert.deepEqual(parsed.blocks, [{ info: 'sh runnable', code: 'echo [no](link.md)', line: 3 }]);
  });

  it("makes GitHub's heading anchors", () => {
    assert.equal(slugOf("The article's demo"), 'the-articles-demo');
    assert.equal(slugOf('`changeId()` and the old token'), 'changeid-and-the-old-token');
    assert.ok(
      parseMarkdown('## Key layout in indexed mode').anchors.has('key-layout-in-indexed-mode'),
    );
  });

  it('marks only `sh runnable` / `bash runnable` blocks as runnable, with their timeout', () => {
    const block = (info: string) => ({ info, code: '', line: 1 });
    assert.equal(isRunnable(block('sh runnable')), true);
    assert.equal(isRunnable(block('bash runnable timeout=60')), true);
    assert.equal(isRunnable(block('sh')), false);
    assert.equal(isRunnable(block('ts runnable')), false);
    assert.equal(timeoutMsOf(block('sh runnable timeout=60'), 30_000), 60_000);
    assert.equal(timeoutMsOf(block('sh runnable'), 30_000), 30_000);
  });
});

describe('checkLinks', () => {
  it('reports a missing file, a line past the end and an unknown heading; accepts the rest', () => {
    const root = mkdtempSync(join(tmpdir(), 'docs-check-'));
    try {
      mkdirSync(join(root, 'docs'));
      writeFileSync(join(root, 'code.ts'), 'one\ntwo\n');
      const text = [
        '# Page',
        '[ok](../code.ts) [ok](../code.ts#L2) [ok](#page) [web](https://example.com)',
        '[gone](../missing.ts)',
        '[far](../code.ts#L9)',
        '[nope](#no-such-heading)',
      ].join('\n');
      const path = join(root, 'docs', 'page.md');
      writeFileSync(path, text);
      const problems = checkLinks({ path, text, parsed: parseMarkdown(text) }, root);
      assert.deepEqual(
        problems.map((p) => [p.line, p.target]),
        [
          [3, '../missing.ts'],
          [4, '../code.ts#L9'],
          [5, '#no-such-heading'],
        ],
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
