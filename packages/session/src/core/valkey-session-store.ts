import type { Cluster, Redis } from 'ioredis';
import { SessionDataCorruptError } from './errors.js';
import {
  ATTRIBUTE_PREFIX,
  FIELD,
  KeyLayout,
  MOVED_TO_FIELD,
  PRINCIPAL_FIELD,
} from './key-layout.js';
import type { SessionLogger, SessionObserver, StoreOperation } from './options.js';
import { isReplyError, toStoreError } from './store-errors.js';
import { type ScriptedClient, withScripts } from './scripts/scripts.js';
import type {
  CompareAndSetResult,
  SessionDelta,
  SessionRecord,
  SessionStore,
  StoredAttribute,
  WriteEffects,
} from './session-store.js';

/**
 * How long the old key of a Cluster changeId() lives on after its copy was taken, in ms: long
 * enough for the two remaining steps, short enough that an old token stops resolving soon even
 * when the process died between them.
 */
export const MOVE_GRACE_MS = 10_000;

/** A session between the steps of a Cluster changeId(). */
export interface MovingSession {
  oldId: string;
  /** The new session's hash: the old fields with the request's delta on top. */
  fields: Map<string, string>;
  /** The old key's TTL before begin-move cut it (0: it had none). */
  oldTtlMs: number;
  /** The new key's TTL: the old one, so changeId() keeps the expiry. */
  ttlMs: number;
}

/** {@link SessionStore} on Valkey (or Redis) through ioredis: standalone, Sentinel or Cluster. */
export class ValkeySessionStore implements SessionStore {
  protected readonly client: ScriptedClient;
  readonly keys: KeyLayout;
  /** On a Cluster the old and new key of changeId() are in different slots: three steps. */
  protected readonly isCluster: boolean;

  constructor(
    client: Redis | Cluster,
    namespace: string,
    protected readonly logger: SessionLogger,
    private readonly observer?: SessionObserver,
  ) {
    this.client = withScripts(client);
    this.isCluster = (client as Cluster).isCluster === true;
    this.keys = new KeyLayout(namespace, { cluster: this.isCluster });
  }

  async loadAndTouch(id: string, now: number): Promise<SessionRecord | null> {
    let flat: string[];
    try {
      flat = (await this.call('load', () => this.loadScript(id, now))) as string[];
    } catch (err) {
      // WRONGTYPE: something else sits at the key. Same treatment as unparsable content.
      if (isReplyError(err) && String(err.message).startsWith('WRONGTYPE')) {
        this.reportCorrupt(id, new SessionDataCorruptError('the key is not a hash', err));
        return null;
      }
      throw err;
    }
    if (flat.length === 0) return null;
    try {
      return toRecord(id, flat);
    } catch (err) {
      this.reportCorrupt(id, err);
      return null;
    }
  }

  async saveDelta(id: string, delta: SessionDelta): Promise<boolean> {
    const pairs = this.fieldPairs(delta);
    const result = await this.call('save', () =>
      this.client.batonSaveDelta(
        this.keys.sessionKey(id),
        delta.create ? '0' : '1',
        delta.maxInactiveMs,
        pairs.length / 2,
        ...pairs,
        ...this.removedFields(delta),
      ),
    );
    return result === 1;
  }

  async compareAndSet(
    id: string,
    name: string,
    expected: string | undefined,
    next: string,
    ttlMs: number,
    create?: { createdAt: number; now: number },
    effects: WriteEffects = {},
  ): Promise<CompareAndSetResult> {
    const creation = create ? this.metadataPairs(create.createdAt, create.now, ttlMs) : [];
    const { record, publish } = effects;
    const result = await this.call(
      'update',
      () =>
        this.compareAndSetScript(
          id,
          record ? this.keys.recordKey(id, record.name) : this.keys.sessionKey(id),
          [
            create ? '0' : '1',
            ttlMs,
            this.keys.attributeField(name),
            expected === undefined ? '0' : '1',
            expected ?? '',
            next,
            record ? record.ttlMs : '0',
            record ? record.value : '',
            publish ?? '',
            id,
            ...creation,
          ],
        ),
      (reply) => (Array.isArray(reply) && reply[0] === 0 ? 'conflict' : 'ok'),
    );
    if (result === 1) return { outcome: 'written' };
    if (result === -1) return { outcome: 'gone' };
    const [kind, current] = result as [number, string | undefined];
    if (kind === 2) return { outcome: 'recorded', record: current as string };
    return {
      outcome: 'conflict',
      current: current === undefined ? undefined : { json: current, value: parseJson(current) },
    };
  }

  async findRecord(id: string, name: string): Promise<string | undefined> {
    const record = await this.call('load', () => this.client.get(this.keys.recordKey(id, name)));
    return record ?? undefined;
  }

  async rename(oldId: string, newId: string, delta: SessionDelta): Promise<boolean> {
    if (!this.isCluster) {
      const pairs = this.fieldPairs(delta);
      const result = await this.call('rename', () =>
        this.client.batonMove(
          this.keys.sessionKey(oldId),
          this.keys.sessionKey(newId),
          delta.maxInactiveMs,
          pairs.length / 2,
          ...pairs,
          ...this.removedFields(delta),
        ),
      );
      return result === 1;
    }
    const moving = await this.beginMove(oldId, newId, delta);
    if (!moving) return false;
    await this.copyMoved(newId, moving);
    await this.finishMove(oldId);
    return true;
  }

  /**
   * Cluster changeId(), step 1 of 3: reads the old session and marks it moving (begin-move.lua:
   * still readable, no longer writable, TTL cut to {@link MOVE_GRACE_MS}). Resolves the new
   * session's fields (old ones with the request's delta on top) and TTL, or undefined when the
   * old session does not exist or another changeId() is moving it.
   */
  protected async beginMove(
    oldId: string,
    newId: string,
    delta: SessionDelta,
  ): Promise<MovingSession | undefined> {
    const taken = (await this.call('rename', () =>
      this.client.batonBeginMove(this.keys.sessionKey(oldId), newId, MOVE_GRACE_MS),
    )) as (string | number)[];
    if (taken.length === 0) return undefined;
    const [pttl, ...flat] = taken;
    // Carry every field over, then lay the request's own changes on top.
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), String(flat[i + 1]));
    fields.delete(MOVED_TO_FIELD);
    for (const [field, value] of pairsToEntries(this.fieldPairs(delta))) fields.set(field, value);
    for (const name of delta.remove) fields.delete(this.keys.attributeField(name));
    const oldTtlMs = typeof pttl === 'number' && pttl > 0 ? pttl : 0;
    return { oldId, fields, oldTtlMs, ttlMs: oldTtlMs || delta.maxInactiveMs };
  }

  /**
   * Step 2: writes the new key. If that fails the old session is unmarked (abort-move.lua) so
   * the request's failure leaves it as it was, and the error is rethrown.
   */
  protected async copyMoved(newId: string, moving: MovingSession): Promise<void> {
    try {
      await this.call('rename', () =>
        this.client.batonSaveDelta(
          this.keys.sessionKey(newId),
          '0',
          moving.ttlMs,
          moving.fields.size,
          ...[...moving.fields].flat(),
        ),
      );
    } catch (err) {
      await this.client
        .batonAbortMove(this.keys.sessionKey(moving.oldId), moving.oldTtlMs)
        .catch(() => undefined);
      throw err;
    }
  }

  /**
   * Step 3: deletes the old key. The new session exists already, so a failure here is logged,
   * not thrown: the old key runs out within the grace period by itself, and a read of it meanwhile
   * sees the session unchanged (it accepts no writes).
   */
  protected async finishMove(oldId: string): Promise<void> {
    try {
      await this.call('rename', () => this.client.del(this.keys.sessionKey(oldId)));
    } catch (err) {
      this.logger.warn(
        { err, sessionId: oldId },
        `could not delete the old key after changeId(); it expires within ${MOVE_GRACE_MS} ms`,
      );
    }
  }

  async delete(id: string): Promise<void> {
    await this.call('delete', () => this.client.del(this.keys.sessionKey(id)));
  }

  /** The load-and-touch round trip; indexed mode sends its own script. */
  protected loadScript(id: string, now: number): Promise<unknown> {
    return this.client.batonLoadAndTouch(this.keys.sessionKey(id), now);
  }

  /**
   * The compare-and-set round trip with compare-and-set.lua's second key and ARGV; indexed mode
   * sends its own.
   */
  protected compareAndSetScript(
    id: string,
    recordKey: string,
    args: (string | number)[],
  ): Promise<unknown> {
    return this.client.batonCompareAndSet(this.keys.sessionKey(id), recordKey, ...args);
  }

  /** Field/value pairs of a delta: metadata when it creates the session, then attributes. */
  protected fieldPairs(delta: SessionDelta): string[] {
    const pairs = delta.create
      ? this.metadataPairs(delta.create.createdAt, delta.create.now, delta.maxInactiveMs)
      : delta.maxInactiveChanged
        ? [FIELD.maxInactive, String(delta.maxInactiveMs)]
        : [];
    for (const [name, json] of delta.set) pairs.push(this.keys.attributeField(name), json);
    return pairs;
  }

  /** @private The hash fields a delta deletes. */
  protected removedFields(delta: SessionDelta): string[] {
    return [...delta.remove].map((name) => this.keys.attributeField(name));
  }

  /** @private */
  protected metadataPairs(createdAt: number, now: number, maxInactiveMs: number): string[] {
    return [
      FIELD.created,
      String(createdAt),
      FIELD.lastAccess,
      String(now),
      FIELD.maxInactive,
      String(maxInactiveMs),
    ];
  }

  /** Times one round trip, reports it, and turns transport failures into typed errors. */
  protected async call<T>(
    op: StoreOperation,
    send: () => Promise<T>,
    outcomeOf: (reply: T) => 'ok' | 'conflict' = () => 'ok',
  ): Promise<T> {
    const started = performance.now();
    try {
      const result = await send();
      this.observer?.onStoreCall(op, performance.now() - started, outcomeOf(result));
      return result;
    } catch (err) {
      this.observer?.onStoreCall(op, performance.now() - started, 'error');
      throw toStoreError(err);
    }
  }

  /** @private */
  private reportCorrupt(id: string, err: unknown): void {
    this.logger.warn(
      { err, sessionId: id, code: 'SESSION_DATA_CORRUPT' },
      'ignoring corrupt session data; the request continues with a new session',
    );
  }
}

/** @private Turns a flat HGETALL reply into a record, or throws SessionDataCorruptError. */
function toRecord(id: string, flat: string[]): SessionRecord {
  const attributes = new Map<string, StoredAttribute>();
  const meta: Record<string, number> = {};
  let principal: string | undefined;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i] as string;
    const value = flat[i + 1] as string;
    if (field === PRINCIPAL_FIELD) {
      principal = value;
    } else if (field.startsWith(ATTRIBUTE_PREFIX)) {
      attributes.set(field.slice(ATTRIBUTE_PREFIX.length), {
        json: value,
        value: parseJson(value),
      });
    } else {
      meta[field] = Number(value);
    }
  }
  for (const field of Object.values(FIELD)) {
    if (!Number.isFinite(meta[field])) {
      throw new SessionDataCorruptError(`field "${field}" is missing or not a number`);
    }
  }
  return {
    id,
    createdAt: meta[FIELD.created] as number,
    lastAccessedAt: meta[FIELD.lastAccess] as number,
    maxInactiveMs: meta[FIELD.maxInactive] as number,
    ...(principal !== undefined ? { principal } : {}),
    attributes,
  };
}

/** @private Values are JSON only: parsing can never run code. */
export function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new SessionDataCorruptError('an attribute is not valid JSON', err);
  }
}

/** @private */
function pairsToEntries(pairs: string[]): [string, string][] {
  const entries: [string, string][] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2)
    entries.push([pairs[i] as string, pairs[i + 1] as string]);
  return entries;
}
