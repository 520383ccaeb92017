import type { ReplicaLoad } from '../load/replica-load.js';
import { type Column, figure } from './table.js';

/** A side-bench run's load as columns: 2xx, failed, `<requests>/s`, p50 and p99 in ms. */
export function replicaLoadColumns<Run extends ReplicaLoad>(requests: string): Column<Run>[] {
  return [
    figure<Run>('2xx', (run) => run.ok.toLocaleString('en-US')),
    figure<Run>('failed', (run) => String(run.failed)),
    figure<Run>(`${requests}/s`, (run) =>
      Math.round(run.requestsPerSecond).toLocaleString('en-US'),
    ),
    figure<Run>('p50 ms', (run) => run.p50Ms.toFixed(2)),
    figure<Run>('p99 ms', (run) => run.p99Ms.toFixed(2)),
  ];
}
