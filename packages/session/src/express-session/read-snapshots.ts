/** A session as one `get` read it: top-level key → its JSON. */
export type Snapshot = ReadonlyMap<string, string>;

/** How many sessions the by-id fallback remembers; the oldest is forgotten first. */
const MAX_IDS = 10_000;
/** How many recent reads of one session the by-id fallback keeps. */
const MAX_READS_PER_ID = 32;

/**
 * Remembers what each request read, so that `set` can write only the keys that request changed.
 *
 * express-session hands `get`'s object to `store.createSession(req, data)` and later passes the
 * `Session` it built to `set`: the snapshot follows that object (`adopt`), so every request is
 * compared with its own read, even when many requests for one session run on one process at
 * once. That map is weak: a request that never saves leaves nothing behind.
 *
 * Hosts that build their own session object (@fastify/session) never call `createSession`. For
 * them the recent reads of the session id on this process are kept, and a save is compared with
 * the one that explains it with the fewest changes: its own read, unless its changes happen to
 * match what another request wrote meanwhile (then those keys are not rewritten, and hold that
 * value already). Requests on different processes are always compared with their own reads.
 */
export class ReadSnapshots {
  private readonly byObject = new WeakMap<object, Snapshot>();
  private readonly byId = new Map<string, Snapshot[]>();

  /** `get` read `data` for `sid`. */
  remember(sid: string, data: object, snapshot: Snapshot): void {
    this.byObject.set(data, snapshot);
    const reads = this.byId.get(sid) ?? [];
    this.byId.delete(sid); // re-inserted last: the map's order is least recently read first
    reads.push(snapshot);
    if (reads.length > MAX_READS_PER_ID) reads.shift();
    this.byId.set(sid, reads);
    if (this.byId.size > MAX_IDS) this.byId.delete(this.byId.keys().next().value as string);
  }

  /** The host built `session` from `data` (express-session's `createSession`). */
  adopt(data: object, session: object): void {
    const snapshot = this.byObject.get(data);
    if (snapshot) this.byObject.set(session, snapshot);
  }

  /**
   * What the request saving `session` (now `current`) read, or undefined when no read of it is
   * known on this process (a new session, or one read elsewhere): then it is written whole.
   */
  readBy(sid: string, session: object, current: Snapshot): Snapshot | undefined {
    const own = this.byObject.get(session);
    if (own) return own;
    let best: Snapshot | undefined;
    let fewest = Infinity;
    for (const read of this.byId.get(sid) ?? []) {
      const changes = deltaSize(read, current);
      if (changes < fewest) [best, fewest] = [read, changes];
    }
    return best;
  }

  /**
   * `set` wrote `session`: a second save in the same request compares with what it wrote. The
   * by-id reads are left as they were: other requests of this process may be comparing with them.
   */
  saved(session: object, snapshot: Snapshot): void {
    if (this.byObject.has(session)) this.byObject.set(session, snapshot);
  }

  /** The session is gone: a later save of it starts from nothing. */
  forget(sid: string): void {
    this.byId.delete(sid);
  }
}

/** @private How many keys a save of `current` would write or delete on top of `read`. */
function deltaSize(read: Snapshot, current: Snapshot): number {
  let n = 0;
  for (const [name, json] of current) if (read.get(name) !== json) n++;
  for (const name of read.keys()) if (!current.has(name)) n++;
  return n;
}
