import type { ReplicaLoad } from '../load/replica-load.js';

/** The header cells of {@link replicaLoadCells}, for a table whose requests are `requests`. */
export function replicaLoadHeaders(requests: string): string[] {
  return ['2xx', 'failed', `${requests}/s`, 'p50 ms', 'p99 ms'];
}

/** One side-bench run's load in table cells: 2xx, failed, per second, p50 and p99 in ms. */
export function replicaLoadCells(run: ReplicaLoad): string[] {
  return [
    run.ok.toLocaleString('en-US'),
    String(run.failed),
    Math.round(run.requestsPerSecond).toLocaleString('en-US'),
    run.p50Ms.toFixed(2),
    run.p99Ms.toFixed(2),
  ];
}
