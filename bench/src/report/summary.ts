import type { Tier } from '../environment.js';
import { median } from '../load/stats.js';
import type { BenchResults } from '../results.js';
import { ROUTES, type Route, type ThroughputRun } from '../scenarios/throughput.js';
import { VARIANTS, type VariantName } from '../variants/variant.js';
import { fixed, percent, times } from './table.js';

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
}

/** The targets, each against this run's figures. */
export function evaluateTargets(results: BenchResults, summary: ThroughputSummary): TargetResult[] {
  const targets: TargetResult[] = [];
  const get = 'GET /cart' as const;
  const vsControl = ratio(summary, get, 'baton', 'control');
  targets.push({
    target: 'Baton `GET /cart` throughput >= 85% of the no-session control',
    measured: `${percent(vsControl)} (CPU: ${percent(cpuRatio(summary, get, 'baton', 'control'))})`,
    met: Number.isFinite(vsControl) ? vsControl >= 0.85 : undefined,
    margin: points(vsControl, 0.85),
  });
  const vsBaseline = ratio(summary, get, 'baton', 'baseline');
  targets.push({
    target: 'Baton `GET /cart` throughput >= 1.5x the baseline',
    measured: `${times(vsBaseline)} (CPU: ${times(cpuRatio(summary, get, 'baton', 'baseline'))})`,
    met: Number.isFinite(vsBaseline) ? vsBaseline >= 1.5 : undefined,
    margin: Number.isFinite(vsBaseline)
      ? `${vsBaseline >= 1.5 ? '+' : ''}${fixed(vsBaseline - 1.5)}x`
      : 'n/a',
  });
  const trips = (scenario: string) =>
    results.roundTrips.find((r) => r.variant === 'baton' && r.scenario === scenario)?.roundTrips;
  const read = trips('read');
  targets.push({
    target: 'Baton: 1 Valkey round trip per read',
    measured: read === undefined ? 'n/a' : String(read),
    met: read === undefined ? undefined : read <= 1,
    margin: read === undefined ? 'n/a' : read <= 1 ? 'met exactly' : `${read - 1} too many`,
  });
  const writes = [trips('write'), trips('new session')].filter((n): n is number => n !== undefined);
  const worstWrite = writes.length ? Math.max(...writes) : undefined;
  targets.push({
    target: 'Baton: <= 2 round trips per write (new session or existing)',
    measured: writes.length
      ? `${trips('new session') ?? 'n/a'} (new), ${trips('write') ?? 'n/a'} (existing)`
      : 'n/a',
    met: worstWrite === undefined ? undefined : worstWrite <= 2,
    margin:
      worstWrite === undefined
        ? 'n/a'
        : worstWrite <= 2
          ? `${2 - worstWrite} to spare`
          : `${worstWrite - 2} too many`,
  });
  const lost = results.lostUpdates.find((l) => l.variant === 'baton');
  const lostBaseline = results.lostUpdates.find((l) => l.variant === 'baseline');
  targets.push({
    target: `Baton: 0 lost updates under ${lost?.concurrent ?? 50} concurrent adds (baseline expected to lose many)`,
    measured: lost ? `${lost.lost} (baseline: ${lostBaseline?.lost ?? 'n/a'})` : 'n/a',
    met: lost ? lost.lost === 0 : undefined,
    margin: lost ? (lost.lost === 0 ? 'met' : `${lost.lost} lost`) : 'n/a',
  });
  const keys = results.lostKeyUpdates?.find((l) => l.variant === 'baton-store');
  const keysBaseline = results.lostKeyUpdates?.find((l) => l.variant === 'baseline');
  targets.push({
    target: `express-session + BatonStore: 0 lost writes of different keys under ${keys?.concurrent ?? 50} concurrent (connect-redis expected to lose many)`,
    measured: keys ? `${keys.lost} (connect-redis: ${keysBaseline?.lost ?? 'n/a'})` : 'n/a',
    met: keys ? keys.lost === 0 : undefined,
    margin: keys ? (keys.lost === 0 ? 'met' : `${keys.lost} lost`) : 'n/a',
  });
  const ryw = results.readYourWrites.find((r) => r.variant === 'baton');
  targets.push({
    target: `Baton: 0 read-your-writes misses in ${ryw?.pairs ?? 200} add-then-read pairs`,
    measured: ryw ? String(ryw.misses) : 'n/a',
    met: ryw ? ryw.misses === 0 : undefined,
    margin: ryw ? (ryw.misses === 0 ? 'met' : `${ryw.misses} misses`) : 'n/a',
  });
  const mem = results.memory.find((m) => m.variant === 'baton' && !m.setting);
  const memBaseline = results.memory.find((m) => m.variant === 'baseline' && !m.setting);
  const memRatio =
    (mem?.memoryUsageBytes ?? Number.NaN) / (memBaseline?.memoryUsageBytes ?? Number.NaN);
  targets.push({
    target: 'Baton: Valkey memory per session (10 items) <= baseline',
    measured:
      mem && memBaseline
        ? `${Math.round(mem.memoryUsageBytes)} B vs ${Math.round(memBaseline.memoryUsageBytes)} B`
        : 'n/a',
    met: Number.isFinite(memRatio) ? memRatio <= 1 : undefined,
    margin: Number.isFinite(memRatio)
      ? `${memRatio <= 1 ? '' : '+'}${percent(memRatio - 1)} vs baseline`
      : 'n/a',
  });
  return targets;
}

/** @private "+3.1 points" / "-4.0 points" of a ratio against its goal. */
function points(value: number, goal: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const diff = (value - goal) * 100;
  return `${diff >= 0 ? '+' : ''}${diff.toFixed(1)} points`;
}
