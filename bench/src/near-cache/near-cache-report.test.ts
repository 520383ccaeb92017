import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SECTION_BEGIN,
  SECTION_END,
  nearCacheSectionOf,
  withNearCacheSection,
} from './near-cache-report.js';

describe('the near-cache section of BENCHMARKS.md', () => {
  const section = `${SECTION_BEGIN}\nnew figures\n${SECTION_END}`;

  it('is appended when the report has none, and replaced, alone, when it has one', () => {
    const once = withNearCacheSection('# Benchmarks\n\nthe main run\n', section);
    assert.equal(once, `# Benchmarks\n\nthe main run\n\n${section}\n`);
    const older =
      '<!-- near-cache:begin (an older marker) -->\nold figures\n<!-- near-cache:end -->';
    const replaced = withNearCacheSection(`# B\n\n${older}\n\n## After\n`, section);
    assert.equal(replaced, `# B\n\n${section}\n\n## After\n`);
  });

  it('is what the full bench carries over into its new report', () => {
    assert.equal(nearCacheSectionOf(`# B\n\n${section}\n`), section);
    assert.equal(nearCacheSectionOf('# B\n'), undefined);
  });
});
