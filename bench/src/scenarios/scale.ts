import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { BenchEnvironment } from '../environment.js';
import {
  type PreloadedSession,
  keyPattern,
  makeSession,
  queueWrite,
} from '../sessions/session-formats.js';
import type { ScaleVariantName } from '../variants/variant.js';
import { percentile } from '../load/stats.js';
import type { MemoryResult } from './memory.js';
import { type StoreProbe, storeProbe } from './store-probe.js';
import { countKeys, infoField, memoryStats } from './valkey-info.js';

export interface LatencyPair {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface ScaleLevel {
  readonly sessions: number;
  /** Seconds the pipelined preload up to this level took. */
  readonly preloadSeconds: number;
  readonly usedMemoryBytes: number;
  /** Of `usedMemoryBytes`, the buffers of connected clients (`MEMORY STATS` `clients.normal`). */
  readonly clientBuffersBytes: number;
  /**
   * The growth of used_memory over the empty store's, client buffers left out of both readings,
   * per session.
   */
  readonly bytesPerSession: number;
  /** The session store's own calls, straight to Valkey (no HTTP): load, and save of the cart. */
  readonly storeLoad: LatencyPair;
  readonly storeSave: LatencyPair;
  /** Through the nginx edge, one request at a time: GET /cart (load) and POST /cart/:item (load + save). */
  readonly httpGet: LatencyPair;
  readonly httpPost: LatencyPair;
}

export interface ScaleResult {
  readonly variant: ScaleVariantName;
  readonly levels: ScaleLevel[];
}

export interface ScaleOptions {
  readonly levels: readonly number[];
  /** Store calls per kind per level. */
  readonly storeSamples: number;
  /** HTTP requests per kind per level. */
  readonly httpSamples: number;
  readonly onProgress: (line: string) => void;
}

/** Sessions with a cookie, among the preloaded ones: what the latency samples open. */
const SAMPLE_SESSIONS = 100;
const BATCH = 1_000;

/**
 * Preloads Valkey with ever more sessions, each a copy of a real one the variant's app wrote (the
 * memory measurement's sample: same fields, same 10-item cart, same TTL), through pipelined
 * writes in batches, and at each level measures bytes per session and the latency of loading and
 * saving a session: at the store (the library's own calls) and end to end through the edge.
 */
export async function measureScale(
  env: BenchEnvironment,
  variant: ScaleVariantName,
  template: MemoryResult['sample'],
  options: ScaleOptions,
): Promise<ScaleResult> {
  await env.flush();
  await waitForPersistence(env.admin);
  const samples: PreloadedSession[] = [];
  for (let i = 0; i < SAMPLE_SESSIONS; i++)
    samples.push(makeSession(variant, env.baselineSecret, true));
  const probe: StoreProbe = await storeProbe(variant, env.valkey.url, samples);
  // Read with the probe connected: its connection is not a session's.
  const empty = await memoryReading(env.admin);
  const ttl = Math.max(template.pttlMs, 60_000) + 3_600_000;
  const levels: ScaleLevel[] = [];
  let written = 0;
  let preloadMs = 0;
  try {
    for (const level of options.levels) {
      const started = performance.now();
      while (written < level) {
        const count = Math.min(BATCH, level - written);
        const pipeline = env.admin.pipeline();
        for (let i = 0; i < count; i++) {
          const index = written + i;
          const session =
            index < samples.length
              ? (samples[index] as PreloadedSession)
              : makeSession(variant, env.baselineSecret, false);
          queueWrite(pipeline, session.key, template.stored, ttl);
        }
        const replies = (await pipeline.exec()) ?? [];
        const failed = replies.find(([err]) => err);
        if (failed) throw failed[0];
        written += count;
        if (written % 100_000 === 0)
          options.onProgress(`${variant}: ${written.toLocaleString('en')} sessions preloaded`);
      }
      preloadMs += performance.now() - started;
      await waitForPersistence(env.admin);
      await waitForRehash(env.admin);
      const stored = await countKeys(env.admin, keyPattern(variant));
      if (stored !== level)
        throw new Error(`${variant}: expected ${level} sessions, Valkey holds ${stored}`);
      const memory = await memoryReading(env.admin);
      options.onProgress(`${variant}: ${level.toLocaleString('en')} sessions: sampling latency`);
      const storeLoad: number[] = [];
      const storeSave: number[] = [];
      for (let i = 0; i < options.storeSamples; i++) {
        const { loadMs, saveMs } = await probe.loadAndSave(i % samples.length);
        storeLoad.push(loadMs);
        storeSave.push(saveMs);
      }
      const client = env.client(variant);
      const httpGet: number[] = [];
      const httpPost: number[] = [];
      for (let i = 0; i < options.httpSamples; i++) {
        const cookie = (samples[i % samples.length] as PreloadedSession).cookie;
        let t = performance.now();
        await client.read(cookie);
        httpGet.push(performance.now() - t);
        t = performance.now();
        await client.add(cookie, 'apple');
        httpPost.push(performance.now() - t);
      }
      levels.push({
        sessions: level,
        preloadSeconds: preloadMs / 1000,
        usedMemoryBytes: memory.used,
        clientBuffersBytes: memory.clients,
        bytesPerSession: (memory.used - memory.clients - (empty.used - empty.clients)) / level,
        storeLoad: pair(storeLoad),
        storeSave: pair(storeSave),
        httpGet: pair(httpGet),
        httpPost: pair(httpPost),
      });
    }
  } finally {
    await probe.close();
  }
  await env.flush();
  return { variant, levels };
}

/**
 * @private Waits until Valkey has finished moving keys into grown tables. A dictionary that
 * doubles keeps its old bucket array beside the new one until every key has moved (a little on
 * each command, 1 ms per cron tick); read in between, `used_memory` counts both arrays. The full
 * run's 10,000 level lands just after the expiry dictionary's growth to 16,384 buckets, and read
 * at once it showed about 6 B per session of a table that was being freed.
 */
async function waitForRehash(admin: Redis): Promise<void> {
  await waitUntil(
    'Valkey was still rehashing after 30 s',
    30_000,
    async () => !(await memoryStats(admin))['db.dict.rehashing.count'],
  );
}

/**
 * @private `used_memory` (`total.allocated`) and the part of it that is client buffers. Those
 * are the query and reply buffers of every connection (the gateways', the carts', this bench's
 * own pipelines of 1,000 writes): they grow and shrink with traffic, not with sessions, and at
 * the smallest level a few hundred kB of them would read as tens of bytes per session.
 */
async function memoryReading(admin: Redis): Promise<{ used: number; clients: number }> {
  const stats = await memoryStats(admin);
  const used = stats['total.allocated'];
  if (used === undefined) throw new Error('MEMORY STATS has no total.allocated');
  return { used, clients: stats['clients.normal'] ?? 0 };
}

/** @private */
function pair(values: number[]): LatencyPair {
  return { p50Ms: percentile(values, 50), p99Ms: percentile(values, 99) };
}

/**
 * @private Waits until no AOF rewrite runs or is scheduled: its fork and disk writes would land in
 * the latency samples. The project's config keeps Valkey's automatic rewrites (at 64 MB and each
 * doubling), so a million sessions trigger several.
 */
async function waitForPersistence(admin: Redis): Promise<void> {
  await waitUntil('an AOF rewrite ran for more than 120 s', 120_000, async () => {
    const info = await admin.info('persistence');
    return !infoField(info, 'aof_rewrite_in_progress') && !infoField(info, 'aof_rewrite_scheduled');
  });
}

/** @private Polls `done` every 100 ms until it holds; throws `failure` after `timeoutMs`. */
async function waitUntil(
  failure: string,
  timeoutMs: number,
  done: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(failure);
    await sleep(100);
  }
}
