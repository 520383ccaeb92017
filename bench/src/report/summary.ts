import type { Tier } from '../environment.js';
import { median } from '../load/stats.js';
import type { BenchResults } from '../results.js';
import { ROUTES, type Route, type ThroughputRun } from '../scenarios/throughput.js';
import { VARIANTS, type VariantName } from '../variants/variant.js';

export interface RunSummary {
  readonly runs: ThroughputRun[];
  /** Medians over the repeats. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly roundTripsPerRequest: number;
  readonly otherCores: number;
  readonly cpuMicrosPerRequest: Record<Tier | 'self', number>;
}

export type ThroughputSummary = Record<Route, Partial<Record<VariantName, RunSummary>>>;

export function summarizeThroughput(results: BenchResults): ThroughputSummary {
  const summary = {} as ThroughputSummary;
  for (const route of ROUTES) {
    summary[route] = {};
    for (const variant of VARIANTS) {
      const runs = results.throughput.filter((r) => r.route === route && r.variant === variant);
      if (runs.length === 0) continue;
      const cpu = (tier: Tier | 'self') => median(runs.map((r) => r.cpuMicrosPerRequest[tier]));
      summary[route][variant] = {
        runs,
        requestsPerSecond: median(runs.map((r) => r.load.requestsPerSecond)),
        p50Ms: median(runs.map((r) => r.load.p50Ms)),
        p99Ms: median(runs.map((r) => r.load.p99Ms)),
        roundTripsPerRequest: median(runs.map((r) => r.roundTripsPerRequest)),
        otherCores: median(runs.map((r) => r.otherCores)),
        cpuMicrosPerRequest: {
          nginx: cpu('nginx'),
          gateways: cpu('gateways'),
          carts: cpu('carts'),
          valkey: cpu('valkey'),
          self: cpu('self'),
        },
      };
    }
  }
  return summary;
}

/** Total CPU µs per request of a summary (every tier and the load generator). */
export function totalCpu(s: RunSummary | undefined): number {
  const c = s?.cpuMicrosPerRequest;
  return c ? c.nginx + c.gateways + c.carts + c.valkey + c.self : Number.NaN;
}

/**
 * The throughput ratio of `a` over `b` that their CPU cost per request implies: on a machine
 * that every tier shares, requests per second follow 1 / (CPU per request). Much steadier than
 * measured throughput when other processes compete for the cores.
 */
export function cpuRatio(
  summary: ThroughputSummary,
  route: Route,
  a: VariantName,
  b: VariantName,
): number {
  return totalCpu(summary[route][b]) / totalCpu(summary[route][a]);
}

/** Throughput of `a` over `b` on `route` (medians); NaN when either is missing. */
export function ratio(
  summary: ThroughputSummary,
  route: Route,
  a: VariantName,
  b: VariantName,
): number {
  return (
    (summary[route][a]?.requestsPerSecond ?? Number.NaN) /
    (summary[route][b]?.requestsPerSecond ?? Number.NaN)
  );
}

export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  /** undefined: not measured in this run. */
  readonly met: boolean | undefined;
  /** How far off a missed target is (or the margin of a met one). */
  readonly margin: string;
  /** When missed: the figures behind it ('' when there is nothing more to say). */
  readonly why: string;
}
