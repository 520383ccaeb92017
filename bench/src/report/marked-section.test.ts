import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MarkedSection } from './marked-section.js';

describe('a marked section of BENCHMARKS.md', () => {
  const marked = new MarkedSection('near-cache', 'npm run bench:near-cache -w @baton/bench');
  const section = `${marked.begin}\nnew figures\n${marked.end}`;

  it('is appended when the report has none, and replaced, alone, when it has one', () => {
    const once = marked.replaceIn('# Benchmarks\n\nthe main run\n', section);
    assert.equal(once, `# Benchmarks\n\nthe main run\n\n${section}\n`);
    const older =
      '<!-- near-cache:begin (an older marker) -->\nold figures\n<!-- near-cache:end -->';
    const replaced = marked.replaceIn(`# B\n\n${older}\n\n## After\n`, section);
    assert.equal(replaced, `# B\n\n${section}\n\n## After\n`);
  });

  it('is what the full bench carries over into its new report', () => {
    assert.equal(marked.of(`# B\n\n${section}\n`), section);
    assert.equal(marked.of('# B\n'), undefined);
  });

  it('names the command that writes it, and leaves the other sections alone', () => {
    assert.equal(
      marked.begin,
      '<!-- near-cache:begin (written by npm run bench:near-cache -w @baton/bench) -->',
    );
    const other = new MarkedSection('durable-writes', 'npm run bench:durable-writes');
    const both = other.replaceIn(`# B\n\n${section}\n`, `${other.begin}\nx\n${other.end}`);
    assert.equal(other.of(both), `${other.begin}\nx\n${other.end}`);
    assert.equal(marked.of(both), section);
  });
});
