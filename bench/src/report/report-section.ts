import type { BenchResults } from '../results.js';
import type { TargetResult, ThroughputSummary } from './summary.js';

/** What every section of BENCHMARKS.md is rendered from: one run's results, and what follows. */
export interface ReportContext {
  readonly results: BenchResults;
  readonly summary: ThroughputSummary;
  readonly targets: readonly TargetResult[];
  /** Relative links from the report to the chart and to bench/README.md. */
  readonly links: { readonly chart: string; readonly readme: string };
}

/**
 * One `##` section of the report, declared as data: its heading, when it is there at all, when its
 * figures exist, and its blocks (paragraphs, `###` headings, tables, lists) in order.
 */
export interface ReportSection {
  readonly title: string;
  /** False: the section is left out altogether. @default always shown */
  readonly shown?: (ctx: ReportContext) => boolean;
  /** False: the section only says it was not measured (its phase failed). @default measured */
  readonly measured?: (results: BenchResults) => boolean;
  readonly blocks: (ctx: ReportContext) => readonly string[];
}

/** The heading and blocks of `section` for this run (none when it is not shown). */
export function renderSection(section: ReportSection, ctx: ReportContext): string[] {
  if (section.shown && !section.shown(ctx)) return [];
  if (section.measured && !section.measured(ctx.results))
    return [`## ${section.title}`, 'Not measured (see Problems).'];
  return [`## ${section.title}`, ...section.blocks(ctx)];
}
