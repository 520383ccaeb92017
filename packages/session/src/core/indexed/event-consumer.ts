import type { Cluster, Redis } from 'ioredis';
import { duplicateForBackground } from './connections.js';
import type { SessionLogger } from '../options.js';
import type { DeletionReason } from './indexed-session-store.js';
import type { SessionEvent } from './session-events.js';

/** Longest one XREADGROUP waits for events before the loop looks at stale entries again, in ms. */
const BLOCK_MS = 5_000;
/** Pause after a failed read (store down), in ms. */
const RETRY_MS = 500;
/** Entries per XREADGROUP / XAUTOCLAIM. */
const BATCH = 100;
/** A consumer with nothing pending and idle this long belongs to a node that is gone. */
const FORGET_CONSUMER_AFTER_MS = 60 * 60 * 1000;

type Entry = [id: string, fields: string[] | null];

/**
 * One node's reader of the event stream, in a consumer group: XREADGROUP hands each entry to
 * exactly one consumer of the group; the entry is acknowledged (XACK) after the listeners ran.
 * Entries another consumer took and did not acknowledge within `claimIdleMs` (it crashed) are
 * taken over with XAUTOCLAIM. Blocking reads run on a connection of their own.
 */
export class EventStreamConsumer {
  private blocking: Redis | Cluster | undefined;
  private loop: Promise<void> | undefined;
  private closing = false;
  private lastClaim = 0;
  private failing = false;
  private wake: (() => void) | undefined;
  /** How often this node looks for entries a crashed node left behind, in ms. */
  private readonly claimEveryMs: number;
  private readonly blockMs: number;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly stream: string,
    private readonly group: string,
    private readonly consumer: string,
    private readonly claimIdleMs: number,
    private readonly deliver: (event: SessionEvent) => Promise<void>,
    private readonly logger: SessionLogger,
  ) {
    this.claimEveryMs = Math.max(100, Math.min(claimIdleMs / 2, 10_000));
    this.blockMs = Math.min(BLOCK_MS, this.claimEveryMs);
  }

  /** Creates the group (reading from now on) unless it exists. */
  async ensureGroup(): Promise<void> {
    try {
      await this.client.xgroup('CREATE', this.stream, this.group, '$', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
  }

  /** Starts taking events (once; later calls do nothing). */
  start(): void {
    if (this.loop || this.closing) return;
    // Its own connection: a blocking read would hold up every command queued behind it.
    // No commandTimeout (a BLOCK outlasts it); blockingTimeout guards against a dead socket.
    // A read queues until the connection is up instead of failing.
    const blocking = duplicateForBackground(this.client, {
      blockingTimeout: this.blockMs,
      connectionName: `${this.consumer}:events`,
    });
    blocking.on('error', () => {}); // outages are reported through the application's client
    this.blocking = blocking;
    this.loop = this.run(blocking);
  }

  /**
   * Stops reading, handles whatever this consumer had already taken, and leaves the group if
   * nothing of it is left pending (otherwise another node claims it after `claimIdleMs`).
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.blocking?.disconnect();
    this.wake?.();
    await this.loop;
    if (!this.loop) return;
    try {
      await this.drainOwnPending();
      const pending = (await this.client.xpending(
        this.stream,
        this.group,
        '-',
        '+',
        1,
        this.consumer,
      )) as unknown[];
      if (pending.length === 0) {
        await this.client.xgroup('DELCONSUMER', this.stream, this.group, this.consumer);
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not leave the session event group cleanly');
    }
  }

  /** @private */
  private async run(blocking: Redis | Cluster): Promise<void> {
    while (!this.closing) {
      if (this.client.status !== 'ready') {
        // Starting up or reconnecting: the application's client reports outages, not us.
        await this.pause();
        continue;
      }
      try {
        await this.claimStale();
        const reply = (await blocking.xreadgroup(
          'GROUP',
          this.group,
          this.consumer,
          'COUNT',
          BATCH,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          this.stream,
          '>',
        )) as [string, Entry[]][] | null;
        this.failing = false;
        for (const entry of reply?.[0]?.[1] ?? []) await this.handle(entry);
      } catch (err) {
        if (this.closing) break;
        if (String((err as Error).message).startsWith('NOGROUP')) {
          // The stream is gone (a Valkey restart without persistence, FLUSHALL): start again.
          await this.ensureGroup().catch(() => undefined);
          continue;
        }
        if (!this.failing) this.logger.warn({ err }, 'cannot read session events; retrying');
        this.failing = true;
        await this.pause();
      }
    }
  }

  /** @private Waits RETRY_MS, or less if the client becomes ready or the consumer closes. */
  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.client.off('ready', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, RETRY_MS);
      this.client.once('ready', done);
      this.wake = done;
    });
  }

  /** @private Hands an entry to the listeners, then acknowledges it. */
  private async handle([id, fields]: Entry): Promise<void> {
    const event = fields ? toEvent(id, fields) : undefined;
    if (event) await this.deliver(event);
    try {
      await this.client.xack(this.stream, this.group, id);
    } catch (err) {
      // Left pending: another node takes it over after claimIdleMs (a second delivery).
      this.logger.warn({ err, eventId: id }, 'could not acknowledge a session event');
    }
  }

  /** @private Takes over entries that a crashed node left unacknowledged; forgets dead nodes. */
  private async claimStale(): Promise<void> {
    const now = Date.now();
    if (now - this.lastClaim < this.claimEveryMs) return;
    this.lastClaim = now;
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.client.xautoclaim(
        this.stream,
        this.group,
        this.consumer,
        this.claimIdleMs,
        cursor,
        'COUNT',
        BATCH,
      )) as [string, Entry[]];
      for (const entry of entries) await this.handle(entry);
      cursor = next;
    } while (cursor !== '0-0' && !this.closing);
    await this.forgetGoneConsumers();
  }

  /** @private Every restart is a new consumer; drop those that left nothing behind. */
  private async forgetGoneConsumers(): Promise<void> {
    const consumers = (await this.client.xinfo(
      'CONSUMERS',
      this.stream,
      this.group,
    )) as unknown[][];
    for (const flat of consumers) {
      const info = toObject(flat);
      if (
        info.name !== this.consumer &&
        Number(info.pending) === 0 &&
        Number(info.idle) > FORGET_CONSUMER_AFTER_MS
      ) {
        await this.client.xgroup('DELCONSUMER', this.stream, this.group, String(info.name));
      }
    }
  }

  /**
   * @private Entries delivered to this consumer but never handled: a read whose reply the
   * disconnect in close() cut off. Reading from '0' returns this consumer's pending entries.
   */
  private async drainOwnPending(): Promise<void> {
    const reply = (await this.client.xreadgroup(
      'GROUP',
      this.group,
      this.consumer,
      'COUNT',
      10 * BATCH,
      'STREAMS',
      this.stream,
      '0',
    )) as [string, Entry[]][] | null;
    for (const entry of reply?.[0]?.[1] ?? []) await this.handle(entry);
  }
}

/** @private A stream entry as an event; undefined for an entry Baton did not write. */
function toEvent(eventId: string, fields: string[]): SessionEvent | undefined {
  const f = toObject(fields) as Record<string, string | undefined>;
  const at = new Date(Number(eventId.split('-')[0]));
  if (typeof f.id !== 'string') return undefined;
  const base = {
    eventId,
    id: f.id,
    at,
    ...(f.principal !== undefined ? { principal: f.principal } : {}),
  };
  switch (f.type) {
    case 'created':
    case 'expired':
      return { ...base, type: f.type };
    case 'deleted':
      return { ...base, type: 'deleted', reason: (f.reason ?? 'invalidated') as DeletionReason };
    default:
      return undefined;
  }
}

/** @private */
function toObject(flat: unknown[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) object[String(flat[i])] = flat[i + 1];
  return object;
}
