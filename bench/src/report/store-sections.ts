import type { BenchResults } from '../results.js';
import type { StoredSession } from '../sessions/session-formats.js';
import type { LostUpdateResult, ReadYourWritesResult } from '../scenarios/consistency.js';
import type { MemoryResult } from '../scenarios/memory.js';
import { ROUND_TRIP_SCENARIOS, type RoundTripResult } from '../scenarios/round-trips.js';
import type { ScaleLevel, ScaleResult } from '../scenarios/scale.js';
import { VARIANTS, VARIANT_LABEL } from '../variants/variant.js';
import type { ReportSection } from './report-section.js';
import { bytes, figure, fixed, int, percent, render, signed, text } from './table.js';

type Scenario = (typeof ROUND_TRIP_SCENARIOS)[number];

const REQUEST_OF: Record<Scenario, string> = {
  'anonymous read': '`GET /cart`, no cookie',
  'new session': '`POST /cart/apple`, no cookie (creates the session)',
  read: '`GET /cart` with the session',
  write: '`POST /cart/pear` with the session',
};

const label = (row: { variant: keyof typeof VARIANT_LABEL }) => VARIANT_LABEL[row.variant];

const ROUND_TRIP_DETAIL = [
  text<RoundTripResult>('variant', (r) => r.variant),
  text<RoundTripResult>('request', (r) => r.scenario),
  figure<RoundTripResult>('round trips', (r) => String(r.roundTrips)),
  text<RoundTripResult>('commands sent', (r) => r.commands.join(', ') || '(none)'),
  text<RoundTripResult>('run inside scripts', (r) => r.scriptCommands.join(' ') || '-'),
  text<RoundTripResult>('background meanwhile (not counted)', (r) =>
    r.background.length ? r.background.join(', ') : '-',
  ),
];

export const ROUND_TRIPS_SECTION: ReportSection = {
  title: 'Valkey commands per request',
  measured: (results) => results.roundTrips.length > 0,
  blocks: ({ results: { roundTrips } }) => {
    const trips = (variant: string, scenario: Scenario) =>
      String(
        roundTrips.find((r) => r.variant === variant && r.scenario === scenario)?.roundTrips ??
          'n/a',
      );
    const counts = [
      text<Scenario>('request', (scenario) => REQUEST_OF[scenario]),
      ...VARIANTS.map((v) => figure<Scenario>(VARIANT_LABEL[v], (scenario) => trips(v, scenario))),
    ];
    return [
      "Deterministic: one request at a time through the edge, with `MONITOR` recording every command. Each command a cart replica sends is one network round trip (connections are told apart by name through `CLIENT LIST`; every variant names its clients `cart-1`/`cart-2`); the commands a Lua script runs inside Valkey are listed apart, and so is background work sent meanwhile, which is not counted: the gateways' (they load no session per request, but run background work of their own) and every replica's fleet heartbeat (`SET`, `ZADD`, `ZREMRANGEBYSCORE` on the `{fleet}` keys every 500 ms, on the carts' own connections). `INFO commandstats` is not used for these counts: it cannot tell the cart replicas from the gateways. Measured on a second pass, so that a script's first use (`NOSCRIPT`, then `EVAL`) does not count.",
      render(counts, ROUND_TRIP_SCENARIOS),
      render(
        ROUND_TRIP_DETAIL,
        roundTrips.filter((r) => r.variant !== 'control'),
      ),
    ];
  },
};

const LOST = [
  text<LostUpdateResult>('variant', label),
  figure<LostUpdateResult>('concurrent adds', (l) => String(l.concurrent)),
  figure<LostUpdateResult>('acknowledged', (l) => String(l.acknowledged)),
  text<LostUpdateResult>('statuses', (l) =>
    Object.entries(l.statuses)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', '),
  ),
  figure<LostUpdateResult>('items in the cart', (l) => String(l.survived)),
  figure<LostUpdateResult>('lost', (l) => `**${l.lost}**`),
];

const LOST_KEYS = [
  text<LostUpdateResult>('variant', label),
  figure<LostUpdateResult>('concurrent writes', (l) => String(l.concurrent)),
  ...LOST.slice(2, 4),
  figure<LostUpdateResult>('keys in the session', (l) => String(l.survived)),
  LOST[5]!,
];

const READ_YOUR_WRITES = [
  text<ReadYourWritesResult>('variant', label),
  figure<ReadYourWritesResult>('add-then-read pairs', (r) => String(r.pairs)),
  figure<ReadYourWritesResult>('read on the other replica', (r) => String(r.crossReplica)),
  figure<ReadYourWritesResult>('misses', (r) => `**${r.misses}**`),
];

export const CONSISTENCY_SECTION: ReportSection = {
  title: 'Lost updates and read-your-writes',
  blocks: ({ results: { lostUpdates, lostKeyUpdates = [], readYourWrites } }) => [
    'Lost updates: one session, then all adds at once (distinct items `item-1` … over as many connections), then one read. An add that answered 2xx but whose item is not in the cart was lost silently. Read-your-writes: add an item, and as soon as the add answered, read the cart; a read that does not show it is a miss. nginx round-robins every hop without stickiness; the third column counts the reads that ran on the other cart replica than their add. The control keeps no state and is left out.',
    lostUpdates.length ? render(LOST, lostUpdates) : 'Lost updates: not measured (see Problems).',
    'Lost updates of different keys: the same, but each request marks its own top-level session key (`POST /cart/marks/mark-1` …), so a store that writes per key has nothing to overwrite. For the same key (the cart above) a per-key store still lets the last write win; only an atomic `update()` keeps every add.',
    lostKeyUpdates.length
      ? render(LOST_KEYS, lostKeyUpdates)
      : 'Lost updates of different keys: not measured (see Problems).',
    readYourWrites.length
      ? render(READ_YOUR_WRITES, readYourWrites)
      : 'Read-your-writes: not measured (see Problems).',
  ],
};

const MEMORY = [
  text<MemoryResult>('variant', (m) =>
    m.setting ? `${VARIANT_LABEL[m.variant]}, what-if: \`${m.setting}\`` : VARIANT_LABEL[m.variant],
  ),
  figure<MemoryResult>('sessions', (m) => String(m.sessions)),
  text<MemoryResult>('encoding', (m) => m.encoding),
  text<MemoryResult>(
    'key',
    (m) => `\`${m.sample.key.length > 48 ? `${m.sample.key.slice(0, 45)}...` : m.sample.key}\``,
  ),
  figure<MemoryResult>('key bytes', (m) => fixed(m.keyBytes, 0)),
  figure<MemoryResult>('stored bytes', (m) => fixed(m.payloadBytes, 0)),
  figure<MemoryResult>('MEMORY USAGE', (m) => `**${fixed(m.memoryUsageBytes, 0)}**`),
];

export const MEMORY_SECTION: ReportSection = {
  title: 'Valkey memory per session',
  measured: (results) => results.memory.length > 0,
  blocks: ({ results }) => [
    "Sessions of 10 items (`apple`, `pear`, `banana`, `orange`, `lemon`, `kiwi`, `grapes`, `cherries`, `apple`, `pear`), each created through the edge by the variant's own app. `MEMORY USAGE <key> SAMPLES 0` is each key's exact footprint in bytes (key name, value, allocator overhead), averaged over the sessions. Valkey's per-key bookkeeping (main and expiry dictionaries) comes on top: [Scale](#scale) has it, as the growth of `used_memory` over up to a million sessions.",
    render(MEMORY, results.memory),
    ...results.memory
      .filter((m) => m.records)
      .map(
        (m) =>
          `${VARIANT_LABEL[m.variant]} also keeps, while the replay window lasts, ${fixed(m.records?.perSession ?? 0, 1)} idempotency record(s) per session beside it (one per keyed add: the gateway gives every cart write an \`Idempotency-Key\`), ${fixed(m.records?.memoryUsageBytes ?? 0, 0)} B each (MEMORY USAGE), with a TTL of their own (${fixed((m.records?.pttlMs ?? 0) / 1000, 0)} s left when read). They are not part of the resting session above: each expires by itself.`,
      ),
    ...listpackNote(results),
    'What one session looks like in Valkey:',
    ...results.memory
      .filter((m) => !m.setting)
      .map(
        (m) =>
          `${VARIANT_LABEL[m.variant]}, \`${m.sample.key}\` (TTL ${Math.round(m.sample.pttlMs / 1000)} s):\n\n\`\`\`text\n${showStored(m.sample.stored)}\n\`\`\``,
      ),
  ],
};

/** One level of one variant's scale run. */
type ScaleRow = ScaleLevel & { readonly variant: ScaleResult['variant'] };
const pairOf = (p: { p50Ms: number; p99Ms: number }) =>
  `${fixed(p.p50Ms, 3)} / ${fixed(p.p99Ms, 3)}`;

const SCALE = [
  text<ScaleRow>('variant', label),
  figure<ScaleRow>('sessions', (l) => int(l.sessions)),
  figure<ScaleRow>('preload s (cumulative)', (l) => fixed(l.preloadSeconds, 1)),
  figure<ScaleRow>('used_memory', (l) => bytes(l.usedMemoryBytes)),
  figure<ScaleRow>('of it client buffers', (l) => bytes(l.clientBuffersBytes)),
  figure<ScaleRow>('bytes / session', (l) => fixed(l.bytesPerSession, 0)),
  figure<ScaleRow>('store load p50 / p99 ms', (l) => pairOf(l.storeLoad)),
  figure<ScaleRow>('store save p50 / p99 ms', (l) => pairOf(l.storeSave)),
  figure<ScaleRow>('HTTP GET p50 / p99 ms', (l) => pairOf(l.httpGet)),
  figure<ScaleRow>('HTTP POST p50 / p99 ms', (l) => pairOf(l.httpPost)),
];

export const SCALE_SECTION: ReportSection = {
  title: 'Scale',
  measured: (results) => results.scale.length > 0,
  blocks: ({ results: { plan, scale } }) => [
    `Valkey is preloaded with ${plan.scaleLevels.map((n) => int(n)).join(', then ')} sessions per variant, each a copy of a real 10-item session its app wrote (same fields, same TTL), in the variant's own format, with pipelined writes of 1,000 sessions. At each level (after any AOF rewrite the growth triggered has finished, and once Valkey has finished moving keys into grown tables): bytes per session, as the growth of \`used_memory\` over the empty store's with the client buffers (\`MEMORY STATS\` \`clients.normal\`: every connection's query and reply buffers, which follow traffic, not sessions) left out of both readings, and the latency of loading and saving a session, p50 / p99 in ms: at the store (${int(plan.storeSamples)} calls of the library itself — Baton's \`loadAndTouch\` and the cart's \`compareAndSet\` on ioredis, connect-redis' \`get\` and \`set\` on node-redis) and end to end through the edge (${int(plan.httpSamples)} sequential \`GET /cart\` and \`POST /cart/apple\` on preloaded sessions).`,
    render(
      SCALE,
      scale.flatMap((s) => s.levels.map((l): ScaleRow => ({ ...l, variant: s.variant }))),
    ),
    scale.map((s) => `- ${VARIANT_LABEL[s.variant]}: ${flatness(s.levels)}`).join('\n'),
  ],
};

/** @private Why Baton's hash is not a listpack, when the what-if row exists. */
function listpackNote(results: BenchResults): string[] {
  const plain = results.memory.find((m) => m.variant === 'baton' && !m.setting);
  const whatIf = results.memory.find((m) => m.variant === 'baton' && m.setting);
  if (plain?.encoding === 'listpack') {
    return [
      `Every Baton session hash here is a compact \`listpack\`: Valkey keeps a hash one as long as no value is longer than \`hash-max-listpack-value\`, which the project's \`infra/valkey/valkey.conf\` raises from 64 to 1024 bytes (a cart's JSON is longer than 64 bytes from about three lines on; the default would turn the hash into a \`hashtable\` of about 200 bytes more).`,
    ];
  }
  if (!plain || !whatIf) return [];
  return [
    `Baton's session hash is stored as a \`${plain.encoding}\`, not a compact \`listpack\`: Valkey converts a whole hash as soon as one value is longer than \`hash-max-listpack-value\` (64 bytes by default), and a 10-item cart's JSON is longer than that. With \`${whatIf.setting}\` (a what-if, set for that row only; the project's \`infra/valkey/valkey.conf\` does not set it) the same sessions take ${fixed(whatIf.memoryUsageBytes, 0)} bytes instead of ${fixed(plain.memoryUsageBytes, 0)}.`,
  ];
}

/** @private "spread of bytes/session across levels; latency change from the smallest to the largest". */
function flatness(levels: ScaleLevel[]): string {
  if (levels.length < 2) return 'one level only';
  const per = levels.map((l) => l.bytesPerSession);
  const spread = (Math.max(...per) - Math.min(...per)) / Math.min(...per);
  const first = levels[0] as ScaleLevel;
  const last = levels[levels.length - 1] as ScaleLevel;
  const change = (a: number, b: number) => `${signed(((b - a) / a) * 100, 0)}%`;
  return `bytes per session vary by ${percent(spread)} between ${int(first.sessions)} and ${int(last.sessions)} sessions (memory grows linearly when this is small); from the smallest to the largest level, p50 store load ${change(first.storeLoad.p50Ms, last.storeLoad.p50Ms)}, store save ${change(first.storeSave.p50Ms, last.storeSave.p50Ms)}, HTTP GET ${change(first.httpGet.p50Ms, last.httpGet.p50Ms)}, HTTP POST ${change(first.httpPost.p50Ms, last.httpPost.p50Ms)}.`;
}

/** @private A session the way `valkey-cli` would print it, long values cut. */
function showStored(stored: StoredSession): string {
  if (stored.kind === 'string') return `GET → ${stored.value}`;
  const lines = ['HGETALL →'];
  for (let i = 0; i + 1 < stored.fields.length; i += 2)
    lines.push(`  ${stored.fields[i]} = ${stored.fields[i + 1]}`);
  return lines.join('\n');
}
