/** A session as one `get` read it: top-level key → its JSON. */
export type Snapshot = ReadonlyMap<string, string>;

/** How many sessions the by-id fallback remembers; the oldest is forgotten first. */
const MAX_BY_ID = 10_000;

/**
 * Remembers what each request read, so that `set` can write only the keys that request changed.
 *
 * express-session hands `get`'s object to `store.createSession(req, data)` and later passes the
 * `Session` it built to `set`: the snapshot follows that object (`adopt`), so every request is
 * compared with its own read, even when many requests for one session run on one process at
 * once. Both maps are weak: a request that never saves leaves nothing behind.
 *
 * Hosts that build their own session object (@fastify/session) never call `createSession`; for
 * them the snapshot is found by session id: the latest read of that id on this process. Requests
 * on different processes are still compared with their own reads; on one process, a request can
 * be compared with a newer read than its own, and then rewrites a key another request changed in
 * between (the per-key delta is then as good as the host allows, never worse than a full write).
 */
export class ReadSnapshots {
  private readonly byObject = new WeakMap<object, Snapshot>();
  private readonly byId = new Map<string, Snapshot>();

  /** `get` read `data` for `sid`. */
  remember(sid: string, data: object, snapshot: Snapshot): void {
    this.byObject.set(data, snapshot);
    this.byId.delete(sid);
    this.byId.set(sid, snapshot);
    if (this.byId.size > MAX_BY_ID) this.byId.delete(this.byId.keys().next().value as string);
  }

  /** The host built `session` from `data` (express-session's `createSession`). */
  adopt(data: object, session: object): void {
    const snapshot = this.byObject.get(data);
    if (snapshot) this.byObject.set(session, snapshot);
  }

  /** What the request that is saving `session` read, or undefined for a session it created. */
  readBy(sid: string, session: object): Snapshot | undefined {
    return this.byObject.get(session) ?? this.byId.get(sid);
  }

  /**
   * `set` wrote `session`: a second save in the same request compares with what it wrote. The
   * by-id entry is left as the read made it: another request of this process may still be
   * comparing with it, and must not take this request's writes for its own.
   */
  saved(session: object, snapshot: Snapshot): void {
    if (this.byObject.has(session)) this.byObject.set(session, snapshot);
  }

  /** The session is gone: a later save of it starts from nothing. */
  forget(sid: string): void {
    this.byId.delete(sid);
  }
}
