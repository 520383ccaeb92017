import { MarkedSection } from './marked-section.js';

/** The near-cache section of BENCHMARKS.md: only `npm run bench:near-cache` rewrites it. */
export const NEAR_CACHE_SECTION = new MarkedSection(
  'near-cache',
  'npm run bench:near-cache -w @baton/bench',
);

/** The durable-writes section of BENCHMARKS.md: only `npm run bench:durable-writes` rewrites it. */
export const DURABLE_WRITES_SECTION = new MarkedSection(
  'durable-writes',
  'npm run bench:durable-writes',
);

/** Every side bench's section, in the order the full bench carries them over into its report. */
export const SIDE_BENCH_SECTIONS: readonly MarkedSection[] = [
  NEAR_CACHE_SECTION,
  DURABLE_WRITES_SECTION,
];
