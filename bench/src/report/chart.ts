import type { BenchResults } from '../results.js';
import { ROUTES } from '../scenarios/throughput.js';
import { VARIANTS, VARIANT_LABEL, type VariantName } from '../variants/variant.js';
import { summarizeThroughput } from './summary.js';

const COLORS: Record<VariantName, string> = {
  baton: '#2563eb',
  'cart-service': '#7c3aed',
  baseline: '#d97706',
  'baton-store': '#059669',
  control: '#9ca3af',
};

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly value: (route: (typeof ROUTES)[number], variant: VariantName) => number;
  readonly digits: number;
}

/**
 * A hand-written SVG bar chart of the medians: throughput and p99 latency per route and variant,
 * readable at a glance in the rendered BENCHMARKS.md.
 */
export function renderChart(results: BenchResults): string {
  const summary = summarizeThroughput(results);
  const panels: Panel[] = [
    {
      title: 'Throughput, median req/s (higher is better)',
      unit: 'req/s',
      value: (route, variant) => summary[route][variant]?.requestsPerSecond ?? Number.NaN,
      digits: 0,
    },
    {
      title: 'p99 latency, median ms (lower is better)',
      unit: 'ms',
      value: (route, variant) => summary[route][variant]?.p99Ms ?? Number.NaN,
      digits: 1,
    },
  ];
  const panelWidth = 370;
  const gap = 40;
  const height = 300;
  const parts: string[] = [];
  panels.forEach((panel, index) =>
    parts.push(renderPanel(panel, index * (panelWidth + 20) + 20, 50, panelWidth, 190)),
  );
  const legend = VARIANTS.map((variant, i) => {
    const x = 20 + i * 260;
    return `<rect x="${x}" y="${height - 24}" width="12" height="12" fill="${COLORS[variant]}"/><text x="${x + 18}" y="${height - 14}">${escape(VARIANT_LABEL[variant])}</text>`;
  }).join('');
  const m = results.machine;
  const caption = `${results.plan.mode} run, ${results.startedAt.slice(0, 10)}, ${m.cores} cores, ${results.plan.connections} connections, ${results.plan.repeats} repeat(s) of ${results.plan.durationSeconds} s`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * panelWidth + gap + 40}" height="${height}" viewBox="0 0 ${2 * panelWidth + gap + 40} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="20" y="22" font-size="15" font-weight="600">Baton vs express-session + connect-redis vs no session</text>`,
    `<text x="20" y="40" fill="#555">${escape(caption)}</text>`,
    ...parts,
    legend,
    '</svg>',
    '',
  ].join('\n');
}

/** @private One panel: a group of bars per route (one per variant), each labelled with its value. */
function renderPanel(panel: Panel, x: number, y: number, width: number, height: number): string {
  const values = ROUTES.flatMap((route) => VARIANTS.map((variant) => panel.value(route, variant)));
  const max = Math.max(1, ...values.filter(Number.isFinite)) * 1.15;
  const groupWidth = width / ROUTES.length;
  const bar = 34;
  const out = [`<text x="${x}" y="${y + 10}" font-weight="600">${escape(panel.title)}</text>`];
  const base = y + height;
  out.push(`<line x1="${x}" y1="${base}" x2="${x + width}" y2="${base}" stroke="#333"/>`);
  ROUTES.forEach((route, g) => {
    const groupX = x + g * groupWidth + (groupWidth - VARIANTS.length * (bar + 8)) / 2;
    VARIANTS.forEach((variant, i) => {
      const value = panel.value(route, variant);
      const h = Number.isFinite(value) ? (value / max) * (height - 30) : 0;
      const bx = groupX + i * (bar + 8);
      out.push(
        `<rect x="${bx.toFixed(1)}" y="${(base - h).toFixed(1)}" width="${bar}" height="${h.toFixed(1)}" fill="${COLORS[variant]}"/>`,
      );
      const label = Number.isFinite(value) ? value.toFixed(panel.digits) : 'n/a';
      out.push(
        `<text x="${(bx + bar / 2).toFixed(1)}" y="${(base - h - 4).toFixed(1)}" text-anchor="middle" font-size="11">${label}</text>`,
      );
    });
    out.push(
      `<text x="${(x + g * groupWidth + groupWidth / 2).toFixed(1)}" y="${base + 16}" text-anchor="middle">${escape(route)}</text>`,
    );
  });
  return out.join('\n');
}

/** @private */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
