import { runSectionBench } from '../section-bench.js';
import { NEAR_CACHE_FULL, NEAR_CACHE_QUICK, runNearCacheBench } from './near-cache-bench.js';
import { NEAR_CACHE_SECTION } from '../report/side-bench-sections.js';
import { renderNearCacheSection } from './near-cache-report.js';

await runSectionBench({
  name: 'baton-bench-near-cache',
  description: 'The session near cache off and on: throughput, hit rate, stale reads',
  plans: { full: NEAR_CACHE_FULL, quick: NEAR_CACHE_QUICK },
  commands: {
    full: 'npm run bench:near-cache -w @baton/bench',
    quick: 'npm run bench:near-cache -w @baton/bench -- --quick',
  },
  section: NEAR_CACHE_SECTION,
  run: runNearCacheBench,
  render: renderNearCacheSection,
});
