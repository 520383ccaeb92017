import type { BenchResults } from '../results.js';
import type { VariantName } from '../variants/variant.js';
import { explainMemoryMiss, explainThroughputMiss } from './analysis.js';
import type { ReportSection } from './report-section.js';
import { type TargetResult, type ThroughputSummary, cpuRatio, ratio } from './summary.js';
import { fixed, percent, render, text, times } from './table.js';

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
const ryw = ({ results }: Figures) => results.readYourWrites.find((r) => r.variant === 'baton');
const stored = ({ results }: Figures, variant: VariantName) =>
  results.memory.find((m) => m.variant === variant && !m.setting);
const sign = (diff: number) => (diff >= 0 ? '+' : '');

export const TARGETS: readonly Target[] = [
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
