import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { BenchEnvironment } from '../environment.js';
import { VARIANTS, type VariantName } from '../variants/variant.js';
import { isCartClient, listClients } from './valkey-clients.js';

export const ROUND_TRIP_SCENARIOS = ['anonymous read', 'new session', 'read', 'write'] as const;
export type RoundTripScenario = (typeof ROUND_TRIP_SCENARIOS)[number];

export interface RoundTripResult {
  readonly variant: VariantName;
  readonly scenario: RoundTripScenario;
  /** Commands the cart replicas sent to Valkey: each is one network round trip. */
  readonly roundTrips: number;
  /** Those commands in order, EVALSHA named after its script (`EVALSHA load-and-touch`). */
  readonly commands: string[];
  /** What ran inside those scripts (MONITOR's `lua` source), in order. */
  readonly scriptCommands: string[];
  /** Commands other clients (the gateways' background work) sent meanwhile: not counted. */
  readonly background: string[];
}

interface MonitorEntry {
  readonly source: string;
  readonly args: string[];
  readonly inner: string[];
}

/**
 * Counts Valkey commands per request, deterministically: one request at a time through the nginx
 * edge, with MONITOR recording every command. Only the cart replicas' connections count (every
 * variant names them `cart-1`/`cart-2`; CLIENT LIST maps addresses to names): the gateways do no
 * session work per request, but they may run background work of their own (indexed mode's
 * sweep), which is listed apart, as are the replicas' fleet heartbeats. A script's inner commands follow its EVALSHA in MONITOR and are
 * attached to it. The scenarios, per variant: a read without a session, the first add (creates
 * the session), a read and an add with the session. Everything runs twice and the second pass is
 * kept, so that a script's first use (NOSCRIPT, then EVAL) does not count.
 */
export async function measureRoundTrips(env: BenchEnvironment): Promise<RoundTripResult[]> {
  const scripts = scriptNames();
  const monitor = await env.admin.monitor();
  const adminAddress = addressOf(String(await env.admin.call('CLIENT', 'INFO')));
  let entries: MonitorEntry[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const last = entries[entries.length - 1];
    if (source === 'lua' && last) last.inner.push((args[0] ?? '').toUpperCase());
    else entries.push({ source, args, inner: [] });
  });
  try {
    const results: RoundTripResult[] = [];
    for (const pass of [1, 2]) {
      for (const variant of VARIANTS) {
        const client = env.client(variant);
        let cookie: string | undefined;
        for (const scenario of ROUND_TRIP_SCENARIOS) {
          await settle(env.admin, adminAddress, () => entries);
          entries = [];
          if (scenario === 'anonymous read') await client.read(undefined);
          if (scenario === 'new session') cookie = await client.newSession(['apple']);
          if (scenario === 'read') await client.read(cookie);
          if (scenario === 'write') await client.add(cookie, 'pear');
          await settle(env.admin, adminAddress, () => entries);
          if (pass === 1) continue;
          const names = new Map((await listClients(env.admin)).map((c) => [c.addr, c.name]));
          const seen = entries.filter((e) => e.source !== adminAddress);
          const cart = seen.filter(
            (e) => isCartClient({ name: names.get(e.source) ?? '' }) && !isHeartbeat(e.args),
          );
          results.push({
            variant,
            scenario,
            roundTrips: cart.length,
            commands: cart.map((e) => label(e.args, scripts)),
            scriptCommands: cart.flatMap((e) => e.inner),
            background: seen
              .filter((e) => !cart.includes(e))
              .map((e) => `${names.get(e.source) || e.source}: ${label(e.args, scripts)}`),
          });
        }
      }
    }
    return results;
  } finally {
    monitor.disconnect();
  }
}

/**
 * @private A fleet heartbeat (service-kit's FleetHeartbeat: SET, ZADD, ZREMRANGEBYSCORE on the
 * `{fleet}` keys, every 500 ms on each replica's own connection). It is background work like the
 * gateways' sweep, so it is listed apart, not counted against the request it happens to meet.
 */
function isHeartbeat(args: string[]): boolean {
  return (args[1] ?? '').includes(':{fleet}:');
}

/**
 * @private Waits until MONITOR has shown a PING from the bench's own connection: every command
 * sent before it has been recorded too (Valkey feeds monitors in execution order).
 */
async function settle(
  admin: Redis,
  adminAddress: string,
  entries: () => MonitorEntry[],
): Promise<void> {
  const start = entries().length;
  await admin.ping();
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const fresh = entries().slice(start);
    if (fresh.some((e) => e.source === adminAddress && e.args[0]?.toLowerCase() === 'ping')) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('MONITOR did not show the bench PING within 5 s');
}

/** @private `EVALSHA <script>` for Baton's scripts, else the command name. */
function label(args: string[], scripts: Map<string, string>): string {
  const name = (args[0] ?? '').toUpperCase();
  if (name === 'EVALSHA')
    return `EVALSHA ${scripts.get(args[1] ?? '') ?? (args[1] ?? '').slice(0, 8)}`;
  return name;
}

/** @private SHA-1 → name of every Lua script @baton/session ships (what ioredis sends as EVALSHA). */
function scriptNames(): Map<string, string> {
  const names = new Map<string, string>();
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('@baton/session')), 'scripts');
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.lua')) {
        const sha = createHash('sha1').update(readFileSync(full, 'utf8')).digest('hex');
        names.set(sha, path.relative(dir, full).replace(/\.lua$/, ''));
      }
    }
  };
  try {
    walk(dir);
  } catch {
    // labels only: unknown scripts show their SHA
  }
  return names;
}

/** @private `addr=127.0.0.1:54321` of a CLIENT INFO line. */
function addressOf(info: string): string {
  const match = /\baddr=(\S+)/.exec(info);
  if (!match?.[1]) throw new Error(`no addr in CLIENT INFO: ${info}`);
  return match[1];
}
