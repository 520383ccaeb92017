import type { Redis } from 'ioredis';
import type { SessionLogger, SessionObserver } from '../options.js';
import { type IndexedScriptedClient, withIndexedScripts } from '../scripts/scripts.js';
import type { SessionDelta } from '../session-store.js';
import { ValkeySessionStore } from '../valkey-session-store.js';
import type { ResolvedIndexedOptions } from './indexed-options.js';
import {
  type SessionIndex,
  type SessionInfo,
  assertPrincipal,
  attributesOf,
  mostRecentFirst,
} from './session-index.js';

/** Why a `deleted` event happened, as the scripts record it. */
export type DeletionReason = 'invalidated' | 'revoked' | 'evicted';

/**
 * {@link ValkeySessionStore} in indexed mode. Every write also maintains, in the same script,
 * the principal index, the expiry ledger and the event stream, so none of them can disagree
 * with the sessions; the round trips stay those of the plain store (`changeId()` is one fewer).
 */
export class IndexedValkeySessionStore extends ValkeySessionStore implements SessionIndex {
  private readonly scripts: IndexedScriptedClient;
  /** KEYS[1..3] of every indexed script. */
  private readonly sharedKeys: string[];
  /** ARGV[1..3] of every indexed script. */
  private readonly sharedArgs: (string | number)[];

  constructor(
    client: Redis,
    namespace: string,
    logger: SessionLogger,
    observer: SessionObserver | undefined,
    private readonly indexed: ResolvedIndexedOptions,
  ) {
    super(client, namespace, logger, observer);
    this.scripts = withIndexedScripts(client);
    const keys = this.keys;
    this.sharedKeys = [keys.expirationsKey, keys.sessionPrincipalsKey, keys.eventsKey];
    this.sharedArgs = [keys.sessionKeyPrefix, keys.principalIndexPrefix, indexed.maxEvents];
  }

  protected override loadScript(id: string, now: number): Promise<unknown> {
    return this.scripts.batonIndexedLoadAndTouch(
      ...this.sessionScope(id),
      ...this.sharedArgs,
      id,
      now,
    );
  }

  protected override compareAndSetScript(
    id: string,
    recordKey: string,
    args: (string | number)[],
  ): Promise<unknown> {
    return this.scripts.batonIndexedCompareAndSet(
      ...this.sessionScope(id),
      recordKey,
      ...this.sharedArgs,
      id,
      ...args,
    );
  }

  override async saveDelta(id: string, delta: SessionDelta): Promise<boolean> {
    const pairs = this.fieldPairs(delta);
    const result = await this.call('save', () =>
      this.scripts.batonIndexedSaveDelta(
        ...this.sessionScope(id),
        ...this.sharedArgs,
        id,
        delta.create ? '0' : '1',
        delta.maxInactiveMs,
        ...this.principalArgs(delta),
        pairs.length / 2,
        ...pairs,
        ...this.removedFields(delta),
      ),
    );
    return result === 1;
  }

  /** One script, not the plain store's two: old and new key are on one server in indexed mode. */
  override async rename(oldId: string, newId: string, delta: SessionDelta): Promise<boolean> {
    const pairs = this.fieldPairs(delta);
    const result = await this.call('rename', () =>
      this.scripts.batonIndexedRename(
        ...this.sharedKeys,
        this.keys.sessionKey(oldId),
        this.keys.sessionKey(newId),
        ...this.sharedArgs,
        oldId,
        newId,
        ...this.principalArgs(delta),
        delta.maxInactiveMs,
        pairs.length / 2,
        ...pairs,
        ...this.removedFields(delta),
      ),
    );
    return result === 1;
  }

  override async delete(id: string): Promise<void> {
    await this.call('delete', () =>
      this.scripts.batonIndexedDelete(
        ...this.sessionScope(id),
        ...this.sharedArgs,
        id,
        'invalidated' satisfies DeletionReason,
      ),
    );
  }

  async findByPrincipal(
    principal: string,
    options: { attributes?: string[] } = {},
  ): Promise<SessionInfo[]> {
    assertPrincipal(principal);
    const names = options.attributes ?? [];
    const rows = (await this.call('find', () =>
      this.scripts.batonIndexedFindByPrincipal(
        ...this.sharedKeys,
        this.keys.principalIndexKey(principal),
        ...this.sharedArgs,
        principal,
        ...names.map((name) => this.keys.attributeField(name)),
      ),
    )) as (string | null)[][];
    const found: SessionInfo[] = [];
    for (const [id, expiresAt, created, lastAccess, maxInactive, ...values] of rows) {
      const numbers = [expiresAt, created, lastAccess, maxInactive].map(Number);
      if (!numbers.every(Number.isFinite)) continue; // not a hash Baton wrote; never listed
      const [expires, createdAt, lastAccessedAt, maxInactiveMs] = numbers as number[];
      found.push({
        id: id as string,
        principal,
        createdAt: new Date(createdAt as number),
        lastAccessedAt: new Date(lastAccessedAt as number),
        maxInactiveIntervalMs: maxInactiveMs as number,
        expiresAt: new Date(expires as number),
        attributes: attributesOf(names, values),
      });
    }
    return mostRecentFirst(found);
  }

  async revoke(principal: string, id: string): Promise<boolean> {
    return (await this.revokeScript(principal, 'one', id)) === 1;
  }

  revokeAllExcept(principal: string, keepId: string): Promise<number> {
    return this.revokeScript(principal, 'except', keepId);
  }

  revokeAll(principal: string): Promise<number> {
    return this.revokeScript(principal, 'all', '');
  }

  /**
   * Settles a session Valkey reported expired: records `expired` if nobody did yet. Resolves
   * true when this call recorded it. Safe to call from every node for the same session.
   */
  async reap(id: string): Promise<boolean> {
    const result = await this.call('sweep', () =>
      this.scripts.batonIndexedReap(...this.sharedKeys, ...this.sharedArgs, id),
    );
    return result === 1;
  }

  /**
   * Settles up to `limit` ledger entries whose expiry has passed. Resolves how many expiries it
   * recorded and how many entries it looked at (`examined === limit`: call again).
   */
  async sweep(limit: number): Promise<{ expired: number; examined: number }> {
    const [expired, examined] = (await this.call('sweep', () =>
      this.scripts.batonIndexedSweep(...this.sharedKeys, ...this.sharedArgs, limit),
    )) as [number, number];
    return { expired, examined };
  }

  /** @private KEYS of a script about one session: the shared three, then the session hash. */
  private sessionScope(id: string): string[] {
    return [...this.sharedKeys, this.keys.sessionKey(id)];
  }

  /** @private The principal change a delta carries, as the scripts read it. */
  private principalArgs(delta: SessionDelta): [string, string, number] {
    if (delta.principal === undefined) return ['', '', 0];
    if (delta.principal === null) return ['clear', '', 0];
    return ['set', delta.principal, this.indexed.maxSessionsPerPrincipal ?? 0];
  }

  /** @private */
  private async revokeScript(
    principal: string,
    mode: 'one' | 'except' | 'all',
    id: string,
  ): Promise<number> {
    assertPrincipal(principal);
    return (await this.call('revoke', () =>
      this.scripts.batonIndexedRevoke(
        ...this.sharedKeys,
        this.keys.principalIndexKey(principal),
        ...this.sharedArgs,
        principal,
        mode,
        id,
      ),
    )) as number;
  }
}
