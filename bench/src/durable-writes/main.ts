import { DURABLE_WRITES_SECTION } from '../report/side-bench-sections.js';
import { runSectionBench } from '../section-bench.js';
import {
  DURABLE_WRITES_FULL,
  DURABLE_WRITES_QUICK,
  runDurableWritesBench,
} from './durable-writes-bench.js';
import { renderDurableWritesSection } from './durable-writes-report.js';

await runSectionBench({
  name: 'baton-bench-durable-writes',
  description: 'Session writes with durableWrites (WAIT) off and on: throughput and latency',
  plans: { full: DURABLE_WRITES_FULL, quick: DURABLE_WRITES_QUICK },
  commands: {
    full: 'npm run bench:durable-writes',
    quick: 'npm run bench:durable-writes -- --quick',
  },
  section: DURABLE_WRITES_SECTION,
  run: runDurableWritesBench,
  render: renderDurableWritesSection,
});
