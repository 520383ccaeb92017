import { parseJson } from '../valkey-session-store.js';

/** One session of a principal, as `findByPrincipal` lists it. Never holds a token. */
export interface SessionInfo {
  /** The public handle (SHA-256 of the token), what `revoke` takes; it logs nobody in. */
  id: string;
  principal: string;
  createdAt: Date;
  lastAccessedAt: Date;
  maxInactiveIntervalMs: number;
  /** When the session expires unless it is used again. */
  expiresAt: Date;
  /** The attributes asked for with `findByPrincipal(…, { attributes })` that the session has. */
  attributes: Record<string, unknown>;
}

/**
 * Finds and revokes the sessions of a principal (Spring Session's
 * `FindByIndexNameSessionRepository`). Available as `manager.index` in indexed mode. A session
 * belongs to a principal once a request called `session.setPrincipal(name)` and committed.
 * Each method is one round trip and atomic.
 */
export interface SessionIndex {
  /**
   * The principal's live sessions, most recently used first; an empty list for an unknown
   * principal. `attributes` names attributes to include (e.g. a user agent the app stored); values
   * that are not valid JSON are left out.
   */
  findByPrincipal(principal: string, options?: { attributes?: string[] }): Promise<SessionInfo[]>;

  /**
   * Deletes session `id` if it belongs to `principal` (so a handle of somebody else's session
   * revokes nothing). Resolves true when it deleted one, false when there was none.
   */
  revoke(principal: string, id: string): Promise<boolean>;

  /** Deletes every session of `principal` except `keepId` ("log out my other devices"); resolves how many. */
  revokeAllExcept(principal: string, keepId: string): Promise<number>;

  /** Deletes every session of `principal` ("log out everywhere"); resolves how many. */
  revokeAll(principal: string): Promise<number>;
}

/** Both stores' guard for a principal argument (a caller passing nothing would list everyone). */
export function assertPrincipal(principal: string): void {
  if (typeof principal !== 'string' || principal.length === 0) {
    throw new TypeError('principal must be a non-empty string');
  }
}

/** The requested attributes a session has, parsed; corrupt JSON is left out. */
export function attributesOf(names: string[], values: (string | null)[]): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const json = values[i];
    if (typeof json !== 'string') return;
    try {
      attributes[name] = parseJson(json);
    } catch {
      // The session itself is still listed; only this value is unreadable.
    }
  });
  return attributes;
}

/** `findByPrincipal`'s order: most recently used first. */
export function mostRecentFirst(sessions: SessionInfo[]): SessionInfo[] {
  return sessions.sort((a, b) => b.lastAccessedAt.getTime() - a.lastAccessedAt.getTime());
}
