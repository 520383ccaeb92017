import type { Cluster } from 'ioredis';
import { PRINCIPAL_FIELD } from '../key-layout.js';
import type { SessionLogger, SessionObserver } from '../options.js';
import { type ClusterIndexScriptedClient, withClusterIndexScripts } from '../scripts/scripts.js';
import type { CompareAndSetResult, SessionDelta, WriteEffects } from '../session-store.js';
import { ValkeySessionStore } from '../valkey-session-store.js';
import type { DeletionReason } from './indexed-session-store.js';
import type { ResolvedIndexedOptions } from './indexed-options.js';
import {
  type SessionIndex,
  type SessionInfo,
  assertPrincipal,
  attributesOf,
  mostRecentFirst,
} from './session-index.js';

/** A session id and what its own slot said about it: gone, or its PTTL in ms. */
type Observed = [id: string, state: 'gone' | number];

/**
 * Indexed mode on a Cluster. A session hash lives in the slot of its own id; the ledger, the
 * principal indexes and the event stream share the `{index}` slot. No script can span both, so
 * every indexed change is two or more steps, always in this order:
 *
 * - **Into the index first, out of it last.** A session is added to the ledger and to its
 *   principal's index (`track.lua`) before its hash is written, and removed from them
 *   (`settle.lua`, `untrack-principal.lua`) only after its hash is deleted or renamed. So the
 *   index is a superset of the live sessions at every moment: `revokeAll` cannot miss one.
 *   Readers check each entry against the hash, so a surplus entry is never listed or revoked.
 * - **One end event per session.** `created` is recorded with the first ledger entry; `deleted` or
 *   `expired` when the entry is removed, in the same script, so it happens once. A process dying
 *   between two steps leaves a surplus entry, which the sweep settles (as `expired`) when its
 *   score passes.
 * - **Reads stay one round trip.** Loading a session does not touch the index: ledger scores are
 *   a lower bound of the expiry, and the sweep re-checks a due entry's PTTL before it records
 *   anything (a session in use has its score moved on, once per idle timeout).
 */
export class ClusterIndexedValkeySessionStore extends ValkeySessionStore implements SessionIndex {
  private readonly scripts: ClusterIndexScriptedClient;
  private readonly indexKeys: string[];
  private readonly indexArgs: (string | number)[];

  constructor(
    client: Cluster,
    namespace: string,
    logger: SessionLogger,
    observer: SessionObserver | undefined,
    private readonly indexed: ResolvedIndexedOptions,
  ) {
    super(client, namespace, logger, observer);
    this.scripts = withClusterIndexScripts(client);
    const keys = this.keys;
    this.indexKeys = [keys.expirationsKey, keys.sessionPrincipalsKey, keys.eventsKey];
    this.indexArgs = [keys.principalIndexPrefix, indexed.maxEvents];
  }

  override async saveDelta(id: string, delta: SessionDelta): Promise<boolean> {
    const changesIndex =
      delta.create !== undefined || delta.principal !== undefined || delta.maxInactiveChanged;
    if (!changesIndex) return super.saveDelta(id, delta);
    const principal = delta.principal ?? '';
    const previous = await this.track(id, delta.maxInactiveMs, principal, !!delta.create);
    if (!(await super.saveDelta(id, delta))) return false;
    if (delta.principal !== undefined) await this.afterPrincipalChange(id, previous, principal);
    return true;
  }

  /** A delta that clears the principal deletes its field too (the plain save script knows no principal). */
  protected override removedFields(delta: SessionDelta): string[] {
    const removed = super.removedFields(delta);
    if (delta.principal === null) removed.push(PRINCIPAL_FIELD);
    return removed;
  }

  override async compareAndSet(
    id: string,
    name: string,
    expected: string | undefined,
    next: string,
    ttlMs: number,
    create?: { createdAt: number; now: number },
    effects?: WriteEffects,
  ): Promise<CompareAndSetResult> {
    if (create) await this.track(id, ttlMs, '', true);
    return super.compareAndSet(id, name, expected, next, ttlMs, create, effects);
  }

  /** Copy (new id tracked first), delete the old key, then take the old id out of the index. */
  override async rename(oldId: string, newId: string, delta: SessionDelta): Promise<boolean> {
    const moving = await this.beginMove(oldId, newId, delta);
    if (!moving) return false;
    if (delta.principal === null) moving.fields.delete(PRINCIPAL_FIELD);
    const principal = moving.fields.get(PRINCIPAL_FIELD) ?? '';
    try {
      await this.track(newId, moving.ttlMs, principal, false);
    } catch (err) {
      await this.client
        .batonAbortMove(this.keys.sessionKey(oldId), moving.oldTtlMs)
        .catch(() => undefined);
      throw err;
    }
    await this.copyMoved(newId, moving);
    await this.finishMove(oldId);
    await this.settle('', '', [[oldId, 'gone']]).catch((err: unknown) => {
      this.logger.warn({ err, sessionId: oldId }, 'the sweep will settle the renamed-away id');
    });
    if (delta.principal) await this.enforceLimit(delta.principal);
    return true;
  }

  override async delete(id: string): Promise<void> {
    const deleted = await this.call('delete', () => this.client.del(this.keys.sessionKey(id)));
    if (deleted === 1) await this.recordDeleted([id], 'invalidated');
  }

  async findByPrincipal(
    principal: string,
    options: { attributes?: string[] } = {},
  ): Promise<SessionInfo[]> {
    assertPrincipal(principal);
    const names = options.attributes ?? [];
    const ids = await this.indexedIds(principal);
    const rows = await this.call('find', () =>
      Promise.all(
        ids.map(
          (id) =>
            this.client.hmget(
              this.keys.sessionKey(id),
              PRINCIPAL_FIELD,
              'created',
              'lastAccess',
              'maxInactive',
              ...names.map((name) => this.keys.attributeField(name)),
            ) as Promise<(string | null)[]>,
        ),
      ),
    );
    const found: SessionInfo[] = [];
    rows.forEach(([owner, created, lastAccess, maxInactive, ...values], i) => {
      if (owner !== principal) return; // gone, or somebody else's: a surplus entry
      const numbers = [created, lastAccess, maxInactive].map(Number);
      if (!numbers.every(Number.isFinite)) return;
      const [createdAt, lastAccessedAt, maxInactiveMs] = numbers as [number, number, number];
      found.push({
        id: ids[i] as string,
        principal,
        createdAt: new Date(createdAt),
        lastAccessedAt: new Date(lastAccessedAt),
        maxInactiveIntervalMs: maxInactiveMs,
        expiresAt: new Date(lastAccessedAt + maxInactiveMs),
        attributes: attributesOf(names, values),
      });
    });
    return mostRecentFirst(found);
  }

  async revoke(principal: string, id: string): Promise<boolean> {
    assertPrincipal(principal);
    return (await this.revokeIds(principal, [id], 'revoked')) === 1;
  }

  async revokeAllExcept(principal: string, keepId: string): Promise<number> {
    assertPrincipal(principal);
    const ids = (await this.indexedIds(principal)).filter((id) => id !== keepId);
    return this.revokeIds(principal, ids, 'revoked');
  }

  async revokeAll(principal: string): Promise<number> {
    assertPrincipal(principal);
    return this.revokeIds(principal, await this.indexedIds(principal), 'revoked');
  }

  /** Settles one session Valkey reported expired: `expired` once, whichever node runs this. */
  async reap(id: string): Promise<boolean> {
    const observed = await this.observe([id]);
    return (await this.settle('expired', '', observed)) === 1;
  }

  /** Settles up to `limit` due ledger entries (see {@link IndexedValkeySessionStore.sweep}). */
  async sweep(limit: number): Promise<{ expired: number; examined: number }> {
    const due = (await this.call('sweep', () =>
      this.scripts.batonClusterDue(...this.indexKeys, ...this.indexArgs, limit),
    )) as string[];
    if (due.length === 0) return { expired: 0, examined: 0 };
    const expired = await this.settle('expired', '', await this.observe(due));
    return { expired, examined: due.length };
  }

  /** The plain store's pairs plus the principal field: on a Cluster the hash step writes it. */
  protected override fieldPairs(delta: SessionDelta): string[] {
    const pairs = super.fieldPairs(delta);
    if (typeof delta.principal === 'string') pairs.push(PRINCIPAL_FIELD, delta.principal);
    return pairs;
  }

  /** @private track.lua: into the ledger (and the principal's index) before the hash is written. */
  private async track(
    id: string,
    ttlMs: number,
    principal: string,
    create: boolean,
  ): Promise<string> {
    return (await this.call('save', () =>
      this.scripts.batonClusterTrack(
        ...this.indexKeys,
        ...this.indexArgs,
        id,
        ttlMs,
        principal,
        create ? '1' : '0',
      ),
    )) as string;
  }

  /** @private After the hash changed principal: out of the old index, then the limit. */
  private async afterPrincipalChange(id: string, previous: string, current: string): Promise<void> {
    if (previous !== current || current === '') {
      await this.call('save', () =>
        this.scripts.batonClusterUntrackPrincipal(
          ...this.indexKeys,
          ...this.indexArgs,
          id,
          previous,
          current,
        ),
      );
    }
    if (current !== '') await this.enforceLimit(current);
  }

  /**
   * @private The per-principal limit on a Cluster: keeps the `max` sessions with the highest
   * index scores (the most recent logins) and deletes the others, whichever they are, even the
   * one logging in. Every login runs this after its own write, so once the last racing login is
   * done the principal has exactly min(max, sessions) left: the newest ones.
   */
  private async enforceLimit(principal: string): Promise<void> {
    const max = this.indexed.maxSessionsPerPrincipal;
    if (max === undefined) return;
    const ids = await this.indexedIds(principal); // lowest score first
    const owners = await this.call('save', () =>
      Promise.all(
        ids.map((id) =>
          this.client.hget(this.keys.sessionKey(id), PRINCIPAL_FIELD).catch(() => null),
        ),
      ),
    );
    const live = ids.filter((_, i) => owners[i] === principal);
    if (live.length > max)
      await this.revokeIds(principal, live.slice(0, live.length - max), 'evicted');
  }

  /** @private The principal's index, lowest score (oldest login) first. */
  private async indexedIds(principal: string): Promise<string[]> {
    return (await this.call('find', () =>
      this.client.zrange(this.keys.principalIndexKey(principal), '0', '-1'),
    )) as string[];
  }

  /** @private Deletes each hash that names `principal` (own slots), then records `deleted`. */
  private async revokeIds(
    principal: string,
    ids: string[],
    reason: DeletionReason,
  ): Promise<number> {
    const results = await this.call('revoke', () =>
      Promise.all(
        ids.map((id) => this.scripts.batonDeleteIfPrincipal(this.keys.sessionKey(id), principal)),
      ),
    );
    const deleted = ids.filter((_, i) => results[i] === 1);
    if (deleted.length > 0) await this.recordDeleted(deleted, reason);
    return deleted.length;
  }

  /**
   * @private The sessions are deleted already; a failure to record that is logged, not thrown
   * (the caller's deletion did happen), and the sweep settles them later as `expired`.
   */
  private async recordDeleted(ids: string[], reason: DeletionReason): Promise<void> {
    await this.settle(
      'deleted',
      reason,
      ids.map((id): Observed => [id, 'gone']),
    ).catch((err: unknown) => {
      this.logger.warn({ err, sessionIds: ids }, 'could not record session deletions now');
    });
  }

  /** @private Each session's PTTL, asked of its own slot. */
  private async observe(ids: string[]): Promise<Observed[]> {
    const ttls = await this.call('sweep', () =>
      Promise.all(ids.map((id) => this.client.pttl(this.keys.sessionKey(id)))),
    );
    return ids.map((id, i) => [id, (ttls[i] as number) > 0 ? (ttls[i] as number) : 'gone']);
  }

  /** @private settle.lua */
  private async settle(event: string, reason: string, observed: Observed[]): Promise<number> {
    return (await this.call('sweep', () =>
      this.scripts.batonClusterSettle(
        ...this.indexKeys,
        ...this.indexArgs,
        event,
        reason,
        ...observed.flat(),
      ),
    )) as number;
  }
}
