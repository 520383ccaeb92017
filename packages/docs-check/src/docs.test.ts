import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, checkLinks, collectDocs } from './docs.js';
import { isRunnable, timeoutMsOf } from './markdown.js';

/** A runnable block that says nothing about its timeout gets this long. */
const DEFAULT_TIMEOUT_MS = 30_000;

const docs = collectDocs();

describe('docs: every relative link resolves', () => {
  it('reads the guide (docs/README.md and at least ten concept pages)', () => {
    const pages = docs.map((d) => relative(REPO_ROOT, d.path));
    assert.ok(pages.includes('docs/README.md'), pages.join(', '));
    assert.ok(pages.filter((p) => p.startsWith('docs/')).length >= 10, pages.join(', '));
  });

  for (const doc of docs) {
    const name = relative(REPO_ROOT, doc.path);
    it(`${name}: ${doc.parsed.links.length} links`, () => {
      const problems = checkLinks(doc);
      assert.deepEqual(
        problems.map((p) => `${p.file}:${p.line} (${p.target}): ${p.reason}`),
        [],
      );
    });
  }
});

describe('docs: every `sh runnable` block exits 0', () => {
  for (const doc of docs.filter((d) => relative(REPO_ROOT, d.path).startsWith('docs/'))) {
    for (const block of doc.parsed.blocks.filter(isRunnable)) {
      const name = `${relative(REPO_ROOT, doc.path)}:${block.line}`;
      const timeout = timeoutMsOf(block, DEFAULT_TIMEOUT_MS);
      it(name, { timeout: timeout + 5_000 }, () => {
        const run = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', block.code], {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          timeout,
          killSignal: 'SIGTERM', // a lab stops its stack on SIGTERM
        });
        assert.equal(
          run.status,
          0,
          `exit ${run.status ?? run.signal} after ${name}\n$ ${block.code}\n${run.stdout}${run.stderr}`,
        );
      });
    }
  }
});
