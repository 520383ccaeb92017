import type { SessionRecord } from '../session-store.js';
import type { ResolvedNearCacheOptions } from './near-cache-options.js';

/** What the near cache has done since it started; see `NearCachedSessionStore.stats()`. */
export interface NearCacheStats {
  /** Reads served from memory, without a round trip. */
  hits: number;
  /** Reads that went to Valkey while the cache was on (absent, or due for a touch). */
  misses: number;
  /** Reads that went to Valkey because invalidation was not running (starting, reconnecting). */
  bypassed: number;
  /** Entries dropped because Valkey said the key changed, or because this process wrote it. */
  invalidations: number;
  /** Times the whole cache was dropped: a reconnect, a FLUSHALL, tracking switched off. */
  flushes: number;
  entries: number;
  /** Approximate size of the cached data (field names and values), in bytes. */
  bytes: number;
}

/**
 * A read on its way to Valkey. It becomes stale when its key is invalidated or the cache is
 * flushed before its reply is in: the reply may predate the change, so it must not be cached.
 */
export interface ReadTicket {
  readonly id: string;
  stale: boolean;
}

interface Entry {
  record: SessionRecord;
  /** Served from memory until then; the next read goes to Valkey (and may slide the TTL). */
  freshUntil: number;
  /** What the next hit reports as `lastAccessedAt`: this process's previous read. */
  lastAccess: number;
  bytes: number;
}

/**
 * How long a session may go without a round trip: the touch interval, but never more than a
 * quarter of its idle timeout. near-cache-load.lua computes the same.
 */
export function touchIntervalFor(maxInactiveMs: number, touchIntervalMs: number): number {
  return Math.min(touchIntervalMs, Math.floor(maxInactiveMs / 4));
}

/**
 * The per-process map of session records, least recently used first. It knows nothing of
 * Valkey: the tracking connections switch it on and off and feed it invalidations, the store
 * asks it before a read and settles each read's ticket after.
 */
export class NearCache {
  private readonly entries = new Map<string, Entry>();
  private readonly reading = new Map<string, Set<ReadTicket>>();
  private enabled = false;
  private readonly counters = { hits: 0, misses: 0, bypassed: 0, invalidations: 0, flushes: 0 };
  private bytes = 0;

  constructor(private readonly options: ResolvedNearCacheOptions) {}

  /** True while invalidation runs: only then are reads served from, or added to, memory. */
  get active(): boolean {
    return this.enabled;
  }

  /** Invalidation is running from now on (tracking is on and its redirect subscribed). */
  enable(): void {
    this.enabled = true;
  }

  /** Invalidation stopped (a connection dropped): anything cached may miss a change from now on. */
  disable(): void {
    this.enabled = false;
    this.flush();
  }

  /** The record to serve without a round trip, or undefined when the read must go to Valkey. */
  get(id: string, now: number): SessionRecord | undefined {
    if (!this.enabled) {
      this.counters.bypassed++;
      return undefined;
    }
    const entry = this.entries.get(id);
    if (entry === undefined || now >= entry.freshUntil) {
      this.counters.misses++;
      return undefined;
    }
    // Most recently used goes last; eviction takes from the front.
    this.entries.delete(id);
    this.entries.set(id, entry);
    this.counters.hits++;
    const record = { ...entry.record, lastAccessedAt: entry.lastAccess };
    entry.lastAccess = now;
    return record;
  }

  /** Call before sending a read; then `settle` (or `abandon`) the ticket. */
  begin(id: string): ReadTicket {
    const ticket: ReadTicket = { id, stale: !this.enabled };
    let tickets = this.reading.get(id);
    if (tickets === undefined) this.reading.set(id, (tickets = new Set()));
    tickets.add(ticket);
    return ticket;
  }

  /**
   * Caches what a read returned, unless its key changed (or the cache was flushed) while it was
   * in flight. `startedAt` is when the read was sent: freshness counts from there.
   */
  settle(ticket: ReadTicket, record: SessionRecord | null, startedAt: number): void {
    this.abandon(ticket);
    if (ticket.stale || !this.enabled || record === null) return;
    const interval = touchIntervalFor(record.maxInactiveMs, this.options.touchIntervalMs);
    if (interval <= 0) return;
    const bytes = sizeOf(record);
    if (bytes > this.options.maxBytes) return;
    this.remove(ticket.id);
    this.entries.set(ticket.id, {
      record,
      freshUntil: startedAt + interval,
      lastAccess: startedAt,
      bytes,
    });
    this.bytes += bytes;
    this.evict();
  }

  /** Forgets a read that failed. */
  abandon(ticket: ReadTicket): void {
    const tickets = this.reading.get(ticket.id);
    if (tickets === undefined) return;
    tickets.delete(ticket);
    if (tickets.size === 0) this.reading.delete(ticket.id);
  }

  /** The session changed in Valkey (or this process is changing it): drop it and its reads. */
  invalidate(id: string): void {
    for (const ticket of this.reading.get(id) ?? []) ticket.stale = true;
    if (this.remove(id)) this.counters.invalidations++;
  }

  /** Drops everything, including the reads in flight. */
  flush(): void {
    for (const tickets of this.reading.values()) for (const ticket of tickets) ticket.stale = true;
    this.entries.clear();
    this.bytes = 0;
    this.counters.flushes++;
  }

  stats(): NearCacheStats {
    return { ...this.counters, entries: this.entries.size, bytes: this.bytes };
  }

  /** @private */
  private remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    this.entries.delete(id);
    this.bytes -= entry.bytes;
    return true;
  }

  /** @private */
  private evict(): void {
    for (const [id] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.bytes <= this.options.maxBytes) {
        return;
      }
      this.remove(id);
    }
  }
}

/** @private Approximate: string lengths of what Valkey holds, plus the id. */
function sizeOf(record: SessionRecord): number {
  let bytes = record.id.length + 64;
  for (const [name, attribute] of record.attributes) bytes += name.length + attribute.json.length;
  return bytes;
}
