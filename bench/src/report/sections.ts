import type { BenchResults } from '../results.js';
import type { StoredSession } from '../sessions/session-formats.js';
import { ROUND_TRIP_SCENARIOS } from '../scenarios/round-trips.js';
import type { ScaleLevel } from '../scenarios/scale.js';
import { VARIANTS, VARIANT_LABEL, type VariantName } from '../variants/variant.js';
import { bytes, fixed, int, percent, signed, table } from './table.js';

const REQUEST_OF: Record<(typeof ROUND_TRIP_SCENARIOS)[number], string> = {
  'anonymous read': '`GET /cart`, no cookie',
  'new session': '`POST /cart/apple`, no cookie (creates the session)',
  read: '`GET /cart` with the session',
  write: '`POST /cart/pear` with the session',
};

export function roundTripSection(results: BenchResults): string[] {
  if (results.roundTrips.length === 0)
    return ['## Valkey commands per request', 'Not measured (see Problems).'];
  const find = (variant: VariantName, scenario: string) =>
    results.roundTrips.find((r) => r.variant === variant && r.scenario === scenario);
  const counts = ROUND_TRIP_SCENARIOS.map((scenario) => [
    REQUEST_OF[scenario],
    ...VARIANTS.map((variant) => String(find(variant, scenario)?.roundTrips ?? 'n/a')),
  ]);
  const detail = results.roundTrips
    .filter((r) => r.variant !== 'control')
    .map((r) => [
      r.variant,
      r.scenario,
      String(r.roundTrips),
      r.commands.join(', ') || '(none)',
      r.scriptCommands.join(' ') || '-',
      r.background.length ? r.background.join(', ') : '-',
    ]);
  return [
    '## Valkey commands per request',
    "Deterministic: one request at a time through the edge, with `MONITOR` recording every command. Each command a cart replica sends is one network round trip (connections are told apart by name through `CLIENT LIST`; every variant names its clients `cart-1`/`cart-2`); the commands a Lua script runs inside Valkey are listed apart, and so is whatever other clients sent meanwhile (the gateways load no session per request, but run background work of their own). `INFO commandstats` is not used for these counts: it cannot tell the cart replicas from the gateways. Measured on a second pass, so that a script's first use (`NOSCRIPT`, then `EVAL`) does not count.",
    table(['request', VARIANT_LABEL.baton, VARIANT_LABEL.baseline, VARIANT_LABEL.control], counts, [
      'left',
      'right',
      'right',
      'right',
    ]),
    table(
      [
        'variant',
        'request',
        'round trips',
        'commands sent',
        'run inside scripts',
        'other clients meanwhile (not counted)',
      ],
      detail,
      ['left', 'left', 'right', 'left', 'left', 'left'],
    ),
  ];
}

export function consistencySection(results: BenchResults): string[] {
  const row = (l: BenchResults['lostUpdates'][number]) => [
    VARIANT_LABEL[l.variant],
    String(l.concurrent),
    String(l.acknowledged),
    Object.entries(l.statuses)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', '),
    String(l.survived),
    `**${l.lost}**`,
  ];
  const lost = results.lostUpdates.map(row);
  const lostKeys = (results.lostKeyUpdates ?? []).map(row);
  const ryw = results.readYourWrites.map((r) => [
    VARIANT_LABEL[r.variant],
    String(r.pairs),
    String(r.crossReplica),
    `**${r.misses}**`,
  ]);
  return [
    '## Lost updates and read-your-writes',
    'Lost updates: one session, then all adds at once (distinct items `item-1` … over as many connections), then one read. An add that answered 2xx but whose item is not in the cart was lost silently. Read-your-writes: add an item, and as soon as the add answered, read the cart; a read that does not show it is a miss. nginx round-robins every hop without stickiness; the third column counts the reads that ran on the other cart replica than their add. The control keeps no state and is left out.',
    lost.length
      ? table(
          ['variant', 'concurrent adds', 'acknowledged', 'statuses', 'items in the cart', 'lost'],
          lost,
          ['left', 'right', 'right', 'left', 'right', 'right'],
        )
      : 'Lost updates: not measured (see Problems).',
    'Lost updates of different keys: the same, but each request marks its own top-level session key (`POST /cart/marks/mark-1` …), so a store that writes per key has nothing to overwrite. For the same key (the cart above) a per-key store still lets the last write win; only an atomic `update()` keeps every add.',
    lostKeys.length
      ? table(
          [
            'variant',
            'concurrent writes',
            'acknowledged',
            'statuses',
            'keys in the session',
            'lost',
          ],
          lostKeys,
          ['left', 'right', 'right', 'left', 'right', 'right'],
        )
      : 'Lost updates of different keys: not measured (see Problems).',
    ryw.length
      ? table(['variant', 'add-then-read pairs', 'read on the other replica', 'misses'], ryw, [
          'left',
          'right',
          'right',
          'right',
        ])
      : 'Read-your-writes: not measured (see Problems).',
  ];
}

export function memorySection(results: BenchResults): string[] {
  if (results.memory.length === 0)
    return ['## Valkey memory per session', 'Not measured (see Problems).'];
  const rows = results.memory.map((m) => [
    m.setting ? `${VARIANT_LABEL[m.variant]}, what-if: \`${m.setting}\`` : VARIANT_LABEL[m.variant],
    String(m.sessions),
    m.encoding,
    `\`${m.sample.key.length > 48 ? `${m.sample.key.slice(0, 45)}...` : m.sample.key}\``,
    fixed(m.keyBytes, 0),
    fixed(m.payloadBytes, 0),
    `**${fixed(m.memoryUsageBytes, 0)}**`,
  ]);
  const samples = results.memory
    .filter((m) => !m.setting)
    .map(
      (m) =>
        `${VARIANT_LABEL[m.variant]}, \`${m.sample.key}\` (TTL ${Math.round(m.sample.pttlMs / 1000)} s):\n\n\`\`\`text\n${showStored(m.sample.stored)}\n\`\`\``,
    );
  return [
    '## Valkey memory per session',
    "Sessions of 10 items (`apple`, `pear`, `banana`, `orange`, `lemon`, `kiwi`, `grapes`, `cherries`, `apple`, `pear`), each created through the edge by the variant's own app. `MEMORY USAGE <key> SAMPLES 0` is each key's exact footprint in bytes (key name, value, allocator overhead), averaged over the sessions. Valkey's per-key bookkeeping (main and expiry dictionaries) comes on top: [Scale](#scale) has it, as the growth of `used_memory` over up to a million sessions.",
    table(
      ['variant', 'sessions', 'encoding', 'key', 'key bytes', 'stored bytes', 'MEMORY USAGE'],
      rows,
      ['left', 'right', 'left', 'left', 'right', 'right', 'right'],
    ),
    ...listpackNote(results),
    'What one session looks like in Valkey:',
    ...samples,
  ];
}

/** @private Why Baton's hash is not a listpack, when the what-if row exists. */
function listpackNote(results: BenchResults): string[] {
  const plain = results.memory.find((m) => m.variant === 'baton' && !m.setting);
  const whatIf = results.memory.find((m) => m.variant === 'baton' && m.setting);
  if (!plain || !whatIf) return [];
  return [
    `Baton's session hash is stored as a \`${plain.encoding}\`, not a compact \`listpack\`: Valkey converts a whole hash as soon as one value is longer than \`hash-max-listpack-value\` (64 bytes by default), and a 10-item cart's JSON is longer than that. With \`${whatIf.setting}\` (a what-if, set for that row only; the project's \`infra/valkey/valkey.conf\` does not set it) the same sessions take ${fixed(whatIf.memoryUsageBytes, 0)} bytes instead of ${fixed(plain.memoryUsageBytes, 0)}.`,
  ];
}

export function scaleSection(results: BenchResults): string[] {
  if (results.scale.length === 0) return ['## Scale', 'Not measured (see Problems).'];
  const pairOf = (p: { p50Ms: number; p99Ms: number }) =>
    `${fixed(p.p50Ms, 3)} / ${fixed(p.p99Ms, 3)}`;
  const rows = results.scale.flatMap((s) =>
    s.levels.map((l) => [
      VARIANT_LABEL[s.variant],
      int(l.sessions),
      fixed(l.preloadSeconds, 1),
      bytes(l.usedMemoryBytes),
      fixed(l.bytesPerSession, 0),
      pairOf(l.storeLoad),
      pairOf(l.storeSave),
      pairOf(l.httpGet),
      pairOf(l.httpPost),
    ]),
  );
  const verdicts = results.scale.map((s) => `- ${VARIANT_LABEL[s.variant]}: ${flatness(s.levels)}`);
  const { plan } = results;
  return [
    '## Scale',
    `Valkey is preloaded with ${plan.scaleLevels.map((n) => int(n)).join(', then ')} sessions per variant, each a copy of a real 10-item session its app wrote (same fields, same TTL), in the variant's own format, with pipelined writes of 1,000 sessions. At each level (after any AOF rewrite the growth triggered has finished): \`used_memory\` → bytes per session, and the latency of loading and saving a session, p50 / p99 in ms: at the store (${int(plan.storeSamples)} calls of the library itself — Baton's \`loadAndTouch\` and the cart's \`compareAndSet\` on ioredis, connect-redis' \`get\` and \`set\` on node-redis) and end to end through the edge (${int(plan.httpSamples)} sequential \`GET /cart\` and \`POST /cart/apple\` on preloaded sessions).`,
    table(
      [
        'variant',
        'sessions',
        'preload s (cumulative)',
        'used_memory',
        'bytes / session',
        'store load p50 / p99 ms',
        'store save p50 / p99 ms',
        'HTTP GET p50 / p99 ms',
        'HTTP POST p50 / p99 ms',
      ],
      rows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    verdicts.join('\n'),
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
