import type { BenchResults } from '../results.js';
import type { ScaleLevel } from '../scenarios/scale.js';
import type { Route } from '../scenarios/throughput.js';
import type { VariantName } from '../variants/variant.js';
import {
  explainGatewayMiss,
  explainMemoryMiss,
  explainOverheadMiss,
  explainScaleMiss,
  explainShippedMemoryMiss,
  explainThroughputMiss,
} from './analysis.js';
import { gatewayAlone, perRoute } from './gateway-section.js';
import { GATEWAY_GOAL_MICROS } from '../gateway/gateway-report.js';
import type { ReportSection } from './report-section.js';
import { type TargetResult, type ThroughputSummary, cpuRatio, ratio, totalCpu } from './summary.js';
import { fixed, int, percent, render, text, times } from './table.js';

type Figures = { readonly results: BenchResults; readonly summary: ThroughputSummary };
type Verdict = Pick<TargetResult, 'measured' | 'met' | 'margin'>;

/** One of the targets, declared as data: what it asks and how this run answers it. */
interface Target {
  readonly target: (f: Figures) => string;
  readonly verdict: (f: Figures) => Verdict;
  readonly why?: (f: Figures) => string;
}

/**
 * A count that must stay at or under `limit` (round trips, lost adds, misses): the margin is
 * `spare(n)` when it does, and the excess with `unit` when it does not.
 */
function atMost(
  limit: number,
  unit: string,
  spare: (n: number) => string,
  of: {
    target: (f: Figures) => string;
    count: (f: Figures) => number | undefined;
    measured?: (f: Figures, n: number) => string;
  },
): Target {
  return {
    target: of.target,
    verdict: (f) => {
      const n = of.count(f);
      if (n === undefined) return { measured: 'n/a', met: undefined, margin: 'n/a' };
      const met = n <= limit;
      const measured = of.measured?.(f, n) ?? String(n);
      return { measured, met, margin: met ? spare(n) : `${n - limit} ${unit}` };
    },
  };
}

/** Baton's `GET /cart` throughput over `other`'s, measured and as the CPU time implies. */
function throughputTarget(
  other: VariantName,
  goal: number,
  format: (ratio: number) => string,
  margin: (ratio: number) => string,
): Target {
  return {
    target: () =>
      other === 'control'
        ? 'Baton `GET /cart` throughput >= 85% of the no-session control'
        : 'Baton `GET /cart` throughput >= 1.5x the baseline',
    verdict: ({ summary }) => {
      const value = ratio(summary, 'GET /cart', 'baton', other);
      const cpu = cpuRatio(summary, 'GET /cart', 'baton', other);
      const finite = Number.isFinite(value);
      return {
        measured: `${format(value)} (CPU: ${format(cpu)})`,
        met: finite ? value >= goal : undefined,
        margin: finite ? margin(value - goal) : 'n/a',
      };
    },
    why: ({ results, summary }) => explainThroughputMiss(results, summary, other),
  };
}

const trips = ({ results }: Figures, scenario: string) =>
  results.roundTrips.find((r) => r.variant === 'baton' && r.scenario === scenario)?.roundTrips;
const lost = ({ results }: Figures, variant: VariantName) =>
  results.lostUpdates.find((l) => l.variant === variant);
const lostKeys = ({ results }: Figures, variant: VariantName) =>
  results.lostKeyUpdates?.find((l) => l.variant === variant);
const ryw = ({ results }: Figures) => results.readYourWrites.find((r) => r.variant === 'baton');
const stored = ({ results }: Figures, variant: VariantName) =>
  results.memory.find((m) => m.variant === variant && !m.setting);
const sign = (diff: number) => (diff >= 0 ? '+' : '');

const shippedTrips = ({ results }: Figures, scenario: string) =>
  results.roundTrips.find((r) => r.variant === 'cart-service' && r.scenario === scenario)
    ?.roundTrips;
const cpuOf = ({ summary }: Figures, route: Route, variant: VariantName) =>
  totalCpu(summary[route][variant]);
/** CPU µs per request over every tier, less the no-session control's: the session layer's cost. */
const overhead = (f: Figures, route: Route, variant: VariantName) =>
  cpuOf(f, route, variant) - cpuOf(f, route, 'control');
/**
 * The same over the tiers whose code differs between the variants (the carts and Valkey): nginx,
 * the gateways and the load generator run the same code in every variant, so their differences
 * are the machine's noise, which on a shared machine is larger than the session work itself.
 */
const sessionTiers = ({ summary }: Figures, route: Route, variant: VariantName) => {
  const of = (v: VariantName) => summary[route][v]?.cpuMicrosPerRequest;
  const [a, c] = [of(variant), of('control')];
  return a && c ? a.carts + a.valkey - c.carts - c.valkey : Number.NaN;
};
const gatewayCpu = ({ summary }: Figures, route: Route) =>
  summary[route]['cart-service']?.cpuMicrosPerRequest.gateways;

/** Issue #14: Baton's session overhead over the baseline's, on one route. */
function overheadTarget(route: Route, limit: number): Target {
  return {
    target: () =>
      `Baton's session overhead on \`${route}\` <= ${percent(limit)} of the baseline's (CPU µs per request over all tiers, less the control's)`,
    verdict: (f) => {
      const [b, base] = [overhead(f, route, 'baton'), overhead(f, route, 'baseline')];
      if (!Number.isFinite(b) || !Number.isFinite(base) || base <= 0) {
        return { measured: 'n/a', met: undefined, margin: 'n/a' };
      }
      const share = b / base;
      const shipped = overhead(f, route, 'cart-service');
      const [sb, sbase] = [sessionTiers(f, route, 'baton'), sessionTiers(f, route, 'baseline')];
      return {
        measured: `${Math.round(b)} µs vs ${Math.round(base)} µs = ${percent(share)}; carts + Valkey only: ${Math.round(sb)} vs ${Math.round(sbase)} µs = ${percent(sb / sbase)} (cart-service as shipped, all tiers: ${Math.round(shipped)} µs)`,
        met: share <= limit,
        margin: `${sign(limit - share)}${((limit - share) * 100).toFixed(1)} points`,
      };
    },
    why: (f) => explainOverheadMiss(f.results, f.summary, route),
  };
}

export const TARGETS: readonly Target[] = [
  {
    target: () =>
      'cart-service as shipped measured beside the minimal variants (throughput, CPU per tier, round trips, memory)',
    verdict: (f) => {
      const get = f.summary['GET /cart']['cart-service'];
      const post = f.summary['POST /cart/:item']['cart-service'];
      const mem = stored(f, 'cart-service');
      const write = shippedTrips(f, 'write');
      if (!get || !post || !mem || write === undefined) {
        return { measured: 'incomplete', met: false, margin: 'see the sections below' };
      }
      return {
        measured: `${int(get.requestsPerSecond)} / ${int(post.requestsPerSecond)} req/s (GET / POST), ${write} round trips per add, ${Math.round(mem.memoryUsageBytes)} B per session`,
        met: true,
        margin: 'every figure present',
      };
    },
  },
  {
    target: () => 'cart-service: a resting 10-item session <= the baseline (336 B in the issue)',
    verdict: (f) => {
      const [mem, base] = [stored(f, 'cart-service'), stored(f, 'baseline')];
      if (!mem || !base) return { measured: 'n/a', met: undefined, margin: 'n/a' };
      const over = mem.memoryUsageBytes - base.memoryUsageBytes;
      return {
        measured: `${Math.round(mem.memoryUsageBytes)} B (\`${mem.encoding}\`) vs ${Math.round(base.memoryUsageBytes)} B`,
        met: over <= 0,
        margin: `${over <= 0 ? '' : '+'}${Math.round(over)} B`,
      };
    },
    why: ({ results }) => explainShippedMemoryMiss(results),
  },
  overheadTarget('GET /cart', 0.25),
  overheadTarget('POST /cart/:item', 0.4),
  {
    target: () =>
      'the gateway <= 180 µs CPU per proxied request (alone, beside a bare proxy: see the gateway-alone section)',
    verdict: (f) => {
      const [get, post] = [
        gatewayAlone(f.results, 'GET /cart'),
        gatewayAlone(f.results, 'POST /cart/:item'),
      ];
      if (!get || !post) return { measured: 'n/a', met: undefined, margin: 'n/a' };
      const worst = Math.max(get.gateway, post.gateway);
      const [stackGet, stackPost] = [gatewayCpu(f, 'GET /cart'), gatewayCpu(f, 'POST /cart/:item')];
      const stack =
        stackGet === undefined || stackPost === undefined
          ? ''
          : `; in the stacks (cart-service variant, both gateways, sharing the cores with every tier): ${perRoute(stackGet, stackPost)}`;
      return {
        measured: `${perRoute(get.gateway, post.gateway)}; the floor: ${perRoute(get.floor, post.floor)}${stack}`,
        met: worst <= GATEWAY_GOAL_MICROS,
        margin: `${worst <= GATEWAY_GOAL_MICROS ? '' : '+'}${Math.round(worst - GATEWAY_GOAL_MICROS)} µs`,
      };
    },
    why: (f) => explainGatewayMiss(f.results, f.summary),
  },
  atMost(2, 'too many', (n) => `${2 - n} to spare`, {
    target: () =>
      'cart-service: <= 2 round trips per add to an existing session, the live-update publish included',
    count: (f) => shippedTrips(f, 'write'),
    measured: (f, n) => `${n} (new session: ${shippedTrips(f, 'new session') ?? 'n/a'})`,
  }),
  {
    target: () =>
      'Baton scales flat from the smallest to the largest level: p99 store latency within 2x, bytes per session within 5%',
    verdict: ({ results }) => {
      const levels = results.scale.find((s) => s.variant === 'baton')?.levels ?? [];
      const [first, last] = [levels[0], levels.at(-1)];
      if (!first || !last || levels.length < 2) {
        return { measured: 'n/a', met: undefined, margin: 'n/a' };
      }
      const p99 = (l: ScaleLevel) => Math.max(l.storeLoad.p99Ms, l.storeSave.p99Ms);
      const growth = p99(last) / p99(first);
      const bytes = levels.map((l) => l.bytesPerSession);
      const spread = Math.max(...bytes) / Math.min(...bytes) - 1;
      return {
        measured: `${int(first.sessions)} → ${int(last.sessions)}: p99 ${fixed(p99(first), 3)} → ${fixed(p99(last), 3)} ms (${times(growth)}), bytes/session vary ${percent(spread)}`,
        met: growth <= 2 && spread <= 0.05,
        margin:
          growth <= 2 && spread <= 0.05 ? 'met' : `p99 ${times(growth)}, bytes ${percent(spread)}`,
      };
    },
    why: ({ results }) => explainScaleMiss(results),
  },
  throughputTarget('control', 0.85, percent, (d) => `${sign(d)}${(d * 100).toFixed(1)} points`),
  throughputTarget('baseline', 1.5, times, (d) => `${sign(d)}${fixed(d)}x`),
  atMost(1, 'too many', () => 'met exactly', {
    target: () => 'Baton: 1 Valkey round trip per read',
    count: (f) => trips(f, 'read'),
  }),
  atMost(2, 'too many', (worst) => `${2 - worst} to spare`, {
    target: () => 'Baton: <= 2 round trips per write (new session or existing)',
    count: (f) => {
      const writes = [trips(f, 'write'), trips(f, 'new session')].filter((n) => n !== undefined);
      return writes.length ? Math.max(...writes) : undefined;
    },
    measured: (f) =>
      `${trips(f, 'new session') ?? 'n/a'} (new), ${trips(f, 'write') ?? 'n/a'} (existing)`,
  }),
  atMost(0, 'lost', () => 'met', {
    target: (f) =>
      `Baton: 0 lost updates under ${lost(f, 'baton')?.concurrent ?? 50} concurrent adds (baseline expected to lose many)`,
    count: (f) => lost(f, 'baton')?.lost,
    measured: (f, n) => `${n} (baseline: ${lost(f, 'baseline')?.lost ?? 'n/a'})`,
  }),
  atMost(0, 'lost', () => 'met', {
    target: (f) =>
      `express-session + BatonStore: 0 lost writes of different keys under ${lostKeys(f, 'baton-store')?.concurrent ?? 50} concurrent (connect-redis expected to lose many)`,
    count: (f) => lostKeys(f, 'baton-store')?.lost,
    measured: (f, n) => `${n} (connect-redis: ${lostKeys(f, 'baseline')?.lost ?? 'n/a'})`,
  }),
  atMost(0, 'misses', () => 'met', {
    target: (f) =>
      `Baton: 0 read-your-writes misses in ${ryw(f)?.pairs ?? 200} add-then-read pairs`,
    count: (f) => ryw(f)?.misses,
  }),
  {
    target: () => 'Baton: Valkey memory per session (10 items) <= baseline',
    verdict: (f) => {
      const [mem, base] = [stored(f, 'baton'), stored(f, 'baseline')];
      if (!mem || !base) return { measured: 'n/a', met: undefined, margin: 'n/a' };
      const r = mem.memoryUsageBytes / base.memoryUsageBytes;
      return {
        measured: `${Math.round(mem.memoryUsageBytes)} B vs ${Math.round(base.memoryUsageBytes)} B`,
        met: r <= 1,
        margin: `${r <= 1 ? '' : '+'}${percent(r - 1)} vs baseline`,
      };
    },
    why: ({ results }) => explainMemoryMiss(results),
  },
];

/** The targets, each against this run's figures. */
export function evaluateTargets(results: BenchResults, summary: ThroughputSummary): TargetResult[] {
  const figures = { results, summary };
  return TARGETS.map((t) => {
    const verdict = t.verdict(figures);
    const why = verdict.met === false && t.why ? t.why(figures) : '';
    return { target: t.target(figures), ...verdict, why };
  });
}

const TARGET_COLUMNS = [
  text<TargetResult>('target', (t) => t.target),
  text<TargetResult>('measured', (t) => t.measured),
  text<TargetResult>('met', (t) =>
    t.met === undefined ? 'not measured' : t.met ? 'yes' : '**no**',
  ),
  text<TargetResult>('margin', (t) => t.margin),
];

export const TARGETS_SECTION: ReportSection = {
  title: 'Targets',
  blocks: ({ targets }) => [
    render(TARGET_COLUMNS, targets),
    'Targets are reported, never asserted: the bench fails only when a variant does not start or answers with an error. Where one is missed, [Where targets are missed](#where-targets-are-missed) says by how much and what the CPU accounting and the profile show as the cost.',
  ],
};

export const MISSES_SECTION: ReportSection = {
  title: 'Where targets are missed',
  blocks: ({ targets }) => {
    const missed = targets.filter((t) => t.met === false);
    if (missed.length === 0) return ['Every target was met in this run.'];
    return [
      missed.map((t) => `- **${t.target}**: ${t.measured} (${t.margin}). ${t.why}`).join('\n'),
    ];
  },
};
