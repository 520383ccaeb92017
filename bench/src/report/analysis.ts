import { GATEWAY_GOAL_MICROS } from '../gateway/gateway-report.js';
import type { BenchResults } from '../results.js';
import { gatewayAlone } from './gateway-section.js';
import {
  SESSION_VARIANTS,
  VARIANTS,
  VARIANT_LABEL,
  type VariantName,
} from '../variants/variant.js';
import type { ProfileEntry } from '../scenarios/profile.js';
import type { ReportSection } from './report-section.js';
import type { Route } from '../scenarios/throughput.js';
import { type ThroughputSummary, ratio, totalCpu } from './summary.js';
import { figure, fixed, int, percent, render, signed, text } from './table.js';

const TOP_FUNCTIONS = [
  text<ProfileEntry>('function', (e) => `\`${e.name}\``),
  figure<ProfileEntry>('share', (e) => percent(e.share)),
];

export const PROFILE_SECTION: ReportSection = {
  title: 'Where the time goes: CPU profile of the cart replicas',
  shown: ({ results }) => results.profiles.length > 0,
  blocks: ({ results, summary }) => profileBlocks(results, summary),
};

/** @private */
function profileBlocks(results: BenchResults, summary: ThroughputSummary): string[] {
  const profiles = VARIANTS.map((v) => results.profiles.find((p) => p.variant === v));
  const origins = new Set<string>();
  for (const p of results.profiles) for (const e of p.byOrigin.slice(0, 8)) origins.add(e.name);
  const cost = (variant: VariantName, origin: string) =>
    profileCost(results, summary, variant, origin);
  // One row per origin, Baton's costliest first, then the carts' whole CPU time per request.
  const rows: (string | undefined)[] = [
    ...[...origins].sort((a, b) => cost('baton', b) - cost('baton', a)),
    undefined,
  ];
  const columns = [
    text<string | undefined>('origin', (origin) => origin ?? '**the cart replicas, all**'),
    ...VARIANTS.map((v, i) =>
      figure<string | undefined>(VARIANT_LABEL[v], (origin) =>
        origin === undefined
          ? `**${fixed(cartsCpu(summary, v), 1)}**`
          : profiles[i]
            ? fixed(cost(v, origin), 1)
            : 'n/a',
      ),
    ),
  ];
  const baton = profiles[0];
  return [
    `Both cart replicas of each variant were restarted under V8's sampling profiler (\`node --cpu-prof\`) and loaded with \`GET /cart\` for ${results.plan.profileSeconds} s; only the samples taken during the load count (start-up is left out). The profiler samples wall time on the main thread (idle left out), which on a busy 2-core machine includes time spent waiting for a core; so its proportions are used, not its absolute times: each row is the cart replicas' CPU time per \`GET /cart\` (the median of the CPU table above) times the share of the samples in that origin, in µs per request. "native" is mostly socket I/O (\`writev\`, \`writeUtf8String\`) and V8 builtins such as \`JSON.parse\`.`,
    render(columns, rows),
    ...(baton
      ? [
          "Baton's cart replicas, the functions with the most self time (share of the samples):",
          render(TOP_FUNCTIONS, baton.topFunctions),
        ]
      : []),
  ];
}

/** @private The carts' median CPU µs per `GET /cart`, from the throughput runs. */
function cartsCpu(summary: ThroughputSummary, variant: VariantName): number {
  return summary['GET /cart'][variant]?.cpuMicrosPerRequest.carts ?? Number.NaN;
}

/** @private µs per `GET /cart` the carts spend in `origin`: their CPU time × the profile's share. */
function profileCost(
  results: BenchResults,
  summary: ThroughputSummary,
  variant: VariantName,
  origin: string,
): number {
  const profile = results.profiles.find((p) => p.variant === variant);
  const share = profile?.byOrigin.find((e) => e.name === origin)?.share ?? 0;
  return share * cartsCpu(summary, variant);
}

/**
 * Why Baton's `GET /cart` throughput target against `other` was missed: the CPU time per request
 * of every tier on both, what it predicts, and where the profile puts the difference.
 */
export function explainThroughputMiss(
  results: BenchResults,
  summary: ThroughputSummary,
  other: VariantName,
): string {
  const get = summary['GET /cart'];
  const a = get.baton?.cpuMicrosPerRequest;
  const b = get[other]?.cpuMicrosPerRequest;
  if (!a || !b) return '';
  const total = (c: typeof a) => c.nginx + c.gateways + c.carts + c.valkey + c.self;
  const tiers = (['carts', 'valkey', 'gateways', 'nginx', 'self'] as const)
    .map((tier) => `${tier === 'self' ? 'load generator' : tier} ${signed(a[tier] - b[tier])} µs`)
    .join(', ');
  const predicted = total(b) / total(a);
  const top = profileDiff(results, summary, other);
  return `Per \`GET /cart\`, the whole system spends ${int(total(a))} µs of CPU on Baton against ${int(total(b))} µs on the ${VARIANT_LABEL[other]} (${tiers}). On a machine where every tier and the load generator share ${results.machine.cores} cores, throughput follows total CPU per request: ${int(total(b))} / ${int(total(a))} = ${percent(predicted)}, against the measured ${percent(ratio(summary, 'GET /cart', 'baton', other))}.${top ? ` In the cart replicas, the profile puts Baton's extra self time per request (against the ${VARIANT_LABEL[other]}) in: ${top}.` : ''}`;
}

/** Why Baton's memory per session target was missed: key names, stored bytes, the encoding. */
export function explainMemoryMiss(results: BenchResults): string {
  const [b, base] = SESSION_VARIANTS.map((v) =>
    results.memory.find((m) => m.variant === v && !m.setting),
  );
  if (!b || !base) return '';
  const whatIf = results.memory.find((m) => m.variant === 'baton' && m.setting);
  const listpack = whatIf
    ? ` The larger part is the encoding: Baton's hash is a \`${b.encoding}\` because the cart's JSON is longer than \`hash-max-listpack-value\` (64); with \`${whatIf.setting}\` the same session takes ${fixed(whatIf.memoryUsageBytes, 0)} bytes (${percent(whatIf.memoryUsageBytes / base.memoryUsageBytes - 1)} vs the baseline).`
    : '';
  return `Key names: ${fixed(b.keyBytes, 0)} vs ${fixed(base.keyBytes, 0)} bytes (Baton's namespace and a 43-character hash id, against \`sess:\` and a 32-character id); stored bytes: ${fixed(b.payloadBytes, 0)} vs ${fixed(base.payloadBytes, 0)} (\`${b.encoding}\` vs \`${base.encoding}\`).${listpack}`;
}

/** @private The origins where Baton's cart replicas spend the most more than `other`'s, per request. */
function profileDiff(
  results: BenchResults,
  summary: ThroughputSummary,
  other: VariantName,
): string {
  const baton = results.profiles.find((p) => p.variant === 'baton');
  const them = results.profiles.find((p) => p.variant === other);
  if (!baton || !them) return '';
  const names = new Set([...baton.byOrigin, ...them.byOrigin].map((e) => e.name));
  const cost = (variant: VariantName, name: string) => profileCost(results, summary, variant, name);
  return [...names]
    .map((name) => [name, cost('baton', name) - cost(other, name)] as const)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, 5)
    .map(([name, diff]) => `${name} ${signed(diff)} µs`)
    .join(', ');
}

/** The per-tier CPU difference of `a` over `b` on `route`, as text (`carts +114 µs, …`). */
function tierDiff(
  summary: ThroughputSummary,
  route: Route,
  a: VariantName,
  b: VariantName,
): string {
  const x = summary[route][a]?.cpuMicrosPerRequest;
  const y = summary[route][b]?.cpuMicrosPerRequest;
  if (!x || !y) return '';
  return (['carts', 'valkey', 'gateways', 'nginx', 'self'] as const)
    .map((t) => `${t === 'self' ? 'load generator' : t} ${signed(x[t] - y[t])} µs`)
    .join(', ');
}

/** Why Baton's session overhead on `route` is over its share of the baseline's. */
export function explainOverheadMiss(
  results: BenchResults,
  summary: ThroughputSummary,
  route: Route,
): string {
  const total = (v: VariantName) => totalCpu(summary[route][v]);
  const [baton, base, control] = [total('baton'), total('baseline'), total('control')];
  if (![baton, base, control].every(Number.isFinite)) return '';
  const top = route === 'GET /cart' ? profileDiff(results, summary, 'control') : '';
  return `Per request, all tiers: Baton ${int(baton)} µs, the baseline ${int(base)} µs, the control ${int(control)} µs, so ${int(baton - control)} against ${int(base - control)} µs of session work. Baton over the control, per tier: ${tierDiff(summary, route, 'baton', 'control')}.${top ? ` The cart replicas' profile (\`GET /cart\`) puts Baton's extra self time in: ${top}.` : ''} Every figure is a difference of two noisy totals on a shared machine: the gateways run the same code in every variant and still measured ${gatewayRange(summary, route)} µs per request across the variants, so the carts + Valkey figure in the table is the steadier one. What remains there is the session layer itself: the load-and-touch script, the compare-and-set on a write, JSON of the attribute, and ioredis.`;
}

/** Why the shipped cart-service's resting session is over the baseline's bytes. */
export function explainShippedMemoryMiss(results: BenchResults): string {
  const mem = results.memory.find((m) => m.variant === 'cart-service' && !m.setting);
  const base = results.memory.find((m) => m.variant === 'baseline' && !m.setting);
  if (!mem || !base) return '';
  const fields = mem.sample.stored.kind === 'hash' ? mem.sample.stored.fields : [];
  const cart = fields[fields.indexOf('a:cart') + 1] ?? '';
  return `Key name ${fixed(mem.keyBytes, 0)} B (the baseline's: ${fixed(base.keyBytes, 0)} B), stored bytes ${fixed(mem.payloadBytes, 0)} B, of which the cart's JSON is ${Buffer.byteLength(cart)} B (\`${cart}\`, 8 lines), against the minimal variant's 75 B array of names. The idempotency records are not in it (they are separate keys that expire after the replay window, see [Valkey memory per session](#valkey-memory-per-session)); the line format is cart-service's (apps/cart-service/src/cart/line-format.ts).`;
}

/** Why the gateway spends more than the goal per proxied request. */
export function explainGatewayMiss(results: BenchResults, summary: ThroughputSummary): string {
  const [get, post] = [
    gatewayAlone(results, 'GET /cart'),
    gatewayAlone(results, 'POST /cart/:item'),
  ];
  const alone =
    get && post
      ? `Alone, the gateway costs ${int(get.gateway - get.floor)} µs (GET) and ${int(post.gateway - post.floor)} µs (POST) above the floor, a bare proxy on the same HTTP client ([The gateway alone](#the-gateway-alone-beside-the-floor)): that is what its features and Express cost. ${floorNote(Math.max(get.floor, post.floor))} `
      : '';
  const profile = results.gatewayProfile;
  const cpu = summary['GET /cart']['cart-service']?.cpuMicrosPerRequest.gateways;
  if (!profile || cpu === undefined) return alone;
  const top = profile.byOrigin
    .slice(0, 6)
    .map((e) => `${e.name} ${percent(e.share)}`)
    .join(', ');
  return `${alone}The gateways' profile in the stacks under \`GET /cart\` ([Where the gateway's time goes](#where-the-gateways-time-goes)) splits their time into: ${top}. In the stacks, where every tier and the load generator share the cores, the same code measures ${int(cpu)} µs per request, and the control variant's gateways (whose cart does no session work) ${int(summary['GET /cart'].control?.cpuMicrosPerRequest.gateways ?? Number.NaN)} µs: that figure follows the machine's contention, which is why the goal is read on the gateway alone.`;
}

/** @private What the floor leaves of the gateway goal. */
function floorNote(floor: number): string {
  const left = GATEWAY_GOAL_MICROS - floor;
  return left > 0
    ? `The floor itself costs ${int(floor)} µs, so the goal leaves ${int(left)} µs per request for everything the gateway does on top of relaying bytes.`
    : `The floor itself costs ${int(floor)} µs: on this machine, in this run, no proxy on Node's HTTP server and undici meets the goal.`;
}

export const GATEWAY_PROFILE_SECTION: ReportSection = {
  title: "Where the gateway's time goes",
  shown: ({ results }) => results.gatewayProfile !== undefined,
  blocks: ({ results, summary }) => {
    const profile = results.gatewayProfile;
    const cpu = summary['GET /cart']['cart-service']?.cpuMicrosPerRequest.gateways ?? Number.NaN;
    if (!profile) return [];
    const perRequest = figure<ProfileEntry>('µs / request', (e) => fixed(e.share * cpu, 1));
    return [
      `Both gateways of the cart-service variant, restarted under \`node --cpu-prof\` and loaded with \`GET /cart\` for ${results.plan.profileSeconds} s, as the carts are above; each row is the gateways' CPU time per \`GET /cart\` (${int(cpu)} µs, the median of the CPU table) times the share of the samples.`,
      render(
        [
          text<ProfileEntry>('origin', (e) => e.name),
          figure<ProfileEntry>('share', (e) => percent(e.share)),
          perRequest,
        ],
        profile.byOrigin.slice(0, 12),
      ),
      render([...TOP_FUNCTIONS, perRequest], profile.topFunctions),
    ];
  },
};

/** Why Baton's bytes per session are not flat within 5% from the smallest to the largest level. */
export function explainScaleMiss(results: BenchResults): string {
  const levels = results.scale.find((s) => s.variant === 'baton')?.levels ?? [];
  const base = results.scale.find((s) => s.variant === 'baseline')?.levels ?? [];
  const [first, last] = [levels[0], levels.at(-1)];
  if (!first || !last) return '';
  const spread = (ls: typeof levels) => {
    const bytes = ls.map((l) => l.bytesPerSession);
    return Math.max(...bytes) / Math.min(...bytes) - 1;
  };
  return `Bytes per session fall from ${fixed(first.bytesPerSession, 0)} at ${int(first.sessions)} sessions to ${fixed(last.bytesPerSession, 0)} at ${int(last.sessions)}: \`used_memory\` includes Valkey's main and expiry dictionaries, whose bucket arrays grow in powers of two (16,384 buckets for 10,000 keys, 1,048,576 for a million), so a small level pays more table per key (each level is read once Valkey has finished moving keys into a grown table, so an old array about to be freed is not counted, and without client buffers); and the smaller a session, the larger that fixed share (the baseline's ${fixed(base[0]?.bytesPerSession ?? Number.NaN, 0)}-byte strings vary by ${percent(spread(base))}). Memory still grows linearly (${fixed(last.usedMemoryBytes / last.sessions, 0)} B per session at the top level), and p99 store latency does not grow at all.`;
}

/** @private The lowest and highest gateways' CPU per request over the variants, as `a to b`. */
function gatewayRange(summary: ThroughputSummary, route: Route): string {
  const all = VARIANTS.map((v) => summary[route][v]?.cpuMicrosPerRequest.gateways).filter(
    (n): n is number => n !== undefined,
  );
  return `${int(Math.min(...all))} to ${int(Math.max(...all))}`;
}
