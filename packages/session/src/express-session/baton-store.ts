import type { Request } from 'express';
import { type SessionData, Store } from 'express-session';
import type { Redis } from 'ioredis';
import {
  KeyLayout,
  type ScriptedClient,
  SessionDataCorruptError,
  SessionStoreUnavailableError,
  SessionValueInvalidError,
  isReplyError,
  sessionIdOf,
  toStoreError,
  withScripts,
} from '../core/index.js';
import { ttlOf } from './expiry.js';
import { prefixPattern, scanKeys } from './key-scan.js';
import { ReadSnapshots } from './read-snapshots.js';
import {
  type BatonStoreOptions,
  type ResolvedBatonStoreOptions,
  resolveBatonStoreOptions,
} from './store-options.js';

/** Node-style callback; every method also returns a promise when it is left out. */
type Callback<T> = (err: unknown, value?: T) => void;

/** A stored session as `all()` lists it: its data plus `id`, the SHA-256 handle it is stored under. */
export type ListedSession = SessionData & { id: string };

/**
 * An express-session `Store` on Valkey, for express-session and @fastify/session apps: adopt it by
 * changing the `store:` line only.
 *
 * - `get` is one round trip (`HGETALL`). Each top-level key of the session is one hash field
 *   (`a:<key>` → JSON), `cookie` included.
 * - `set` is one round trip and writes only the keys that changed since this request's `get`,
 *   deleting the ones it removed, so two requests that change different keys both survive. For
 *   the same key the last write wins. A save never re-creates a session that was destroyed or
 *   expired while the request ran. (How a save finds its own read: `ReadSnapshots`.)
 * - The TTL is `cookie.expires` (else `maxAge`, else `defaultTtlMs`) at ms precision; `touch`
 *   only moves it (`PEXPIRE`), and an expiry in the past deletes the session.
 * - Valkey holds `SHA-256(sid)`, never the sid: `ids()` and `all()` list those handles.
 * - It emits `disconnect` / `connect` as the client loses and regains Valkey, so express-session
 *   serves requests without a session meanwhile; a call that fails rejects with
 *   `SESSION_STORE_UNAVAILABLE` (→ 503 through `sessionErrorHandler` / `toHttpError`) within
 *   `operationTimeoutMs`, never later.
 *
 * @example
 * app.use(session({ store: new BatonStore({ client: createValkeyClient() }), secret, resave: false, saveUninitialized: false }));
 */
export class BatonStore extends Store {
  private readonly options: ResolvedBatonStoreOptions;
  private readonly client: ScriptedClient;
  private readonly keys: KeyLayout;
  private readonly snapshots = new ReadSnapshots();
  private connected: boolean;

  constructor(input: BatonStoreOptions) {
    super();
    this.options = resolveBatonStoreOptions(input);
    this.client = withScripts(this.options.client);
    this.keys = new KeyLayout(this.options.namespace);
    this.connected = this.options.client.status === 'ready';
    this.options.client.on('ready', () => this.connectionChanged(true));
    this.options.client.on('close', () => this.connectionChanged(false));
  }

  override get(sid: string, cb?: Callback<SessionData | null>): Promise<SessionData | null> | void {
    return settle(this.read(sid), cb);
  }

  override set(sid: string, session: SessionData, cb?: Callback<void>): Promise<void> | void {
    return settle(this.write(sid, session), cb);
  }

  override touch(sid: string, session: SessionData, cb?: Callback<void>): Promise<void> | void {
    return settle(this.refresh(sid, session), cb);
  }

  override destroy(sid: string, cb?: Callback<void>): Promise<void> | void {
    this.snapshots.forget(sid);
    return settle(
      this.bounded(() => this.client.del(this.keyOf(sid)).then(() => undefined)),
      cb,
    );
  }

  /** Every stored session, each with `id`: the SHA-256 handle it is stored under, not its sid. */
  override all(cb?: Callback<ListedSession[]>): Promise<ListedSession[]> | void {
    return settle(this.listAll(), cb);
  }

  override length(cb?: Callback<number>): Promise<number> | void {
    return settle(
      this.scan().then((found) => found.reduce((n, f) => n + f.keys.length, 0)),
      cb,
    );
  }

  /** The stored ids: SHA-256 handles of the sids (the sids themselves are never stored). */
  ids(cb?: Callback<string[]>): Promise<string[]> | void {
    return settle(
      this.scan().then((found) => found.flatMap((f) => f.keys.map((k) => this.handleOf(k)))),
      cb,
    );
  }

  override clear(cb?: Callback<void>): Promise<void> | void {
    return settle(
      (async () => {
        for (const { node, keys } of await this.scan()) {
          // One DEL per key: a multi-key DEL across slots is refused on a Cluster node.
          if (keys.length) {
            await this.bounded(() => keys.reduce((p, key) => p.del(key), node.pipeline()).exec());
          }
        }
      })(),
      cb,
    );
  }

  /** express-session builds `req.session` from `get`'s data here; the snapshot follows it. */
  override createSession(req: Request, data: SessionData) {
    const session = super.createSession(req, data);
    this.snapshots.adopt(data, session);
    return session;
  }

  /** @private */
  private async read(sid: string): Promise<SessionData | null> {
    let flat: Record<string, string>;
    try {
      flat = await this.bounded(() => this.client.hgetall(this.keyOf(sid)));
    } catch (err) {
      if (isReplyError(err) && err.message.startsWith('WRONGTYPE')) {
        return this.corrupt(sid, new SessionDataCorruptError('the key is not a hash', err));
      }
      throw err;
    }
    const snapshot = new Map<string, string>();
    const data: Record<string, unknown> = {};
    try {
      for (const [field, json] of Object.entries(flat)) {
        const name = this.keys.attributeOfField(field);
        if (name === undefined) continue;
        data[name] = JSON.parse(json);
        snapshot.set(name, json);
      }
    } catch (err) {
      return this.corrupt(sid, new SessionDataCorruptError('a key is not valid JSON', err));
    }
    if (snapshot.size === 0) return null;
    this.snapshots.remember(sid, data, snapshot);
    return data as unknown as SessionData;
  }

  /** @private One round trip: the whole session when this request did not read it, else the delta. */
  private async write(sid: string, session: SessionData): Promise<void> {
    const ttlMs = ttlOf(session, Date.now(), this.options.defaultTtlMs);
    if (ttlMs <= 0) {
      await this.destroy(sid);
      return;
    }
    const current = serialize(session);
    const read = this.snapshots.readBy(sid, session, current);
    const key = this.keyOf(sid);
    if (read) {
      const changed = [...current].filter(([name, json]) => read.get(name) !== json);
      const removed = [...read.keys()].filter((name) => !current.has(name));
      // '1': the session must still exist, so a save after a logout or expiry writes nothing.
      await this.bounded(() =>
        this.client.batonSaveDelta(
          key,
          '1',
          ttlMs,
          changed.length,
          ...changed.flatMap(([name, json]) => [this.keys.attributeField(name), json]),
          ...removed.map((name) => this.keys.attributeField(name)),
        ),
      );
    } else {
      const pairs = [...current].flatMap(([name, json]) => [this.keys.attributeField(name), json]);
      await this.bounded(() => this.client.batonReplace(key, ttlMs, ...pairs));
    }
    this.snapshots.saved(session, current);
  }

  /** @private */
  private async refresh(sid: string, session: SessionData): Promise<void> {
    const ttlMs = ttlOf(session, Date.now(), this.options.defaultTtlMs);
    if (ttlMs <= 0) {
      await this.destroy(sid);
      return;
    }
    await this.bounded(() => this.client.pexpire(this.keyOf(sid), ttlMs));
  }

  /** @private */
  private async listAll(): Promise<ListedSession[]> {
    const found = await this.scan();
    const sessions: ListedSession[] = [];
    for (const { node, keys } of found) {
      if (!keys.length) continue;
      const replies = await this.bounded(() =>
        keys.reduce((p, key) => p.hgetall(key), node.pipeline()).exec(),
      );
      replies?.forEach(([err, flat], i) => {
        if (err) return; // expired or replaced between SCAN and HGETALL
        const data: Record<string, unknown> = {};
        for (const [field, json] of Object.entries(flat as Record<string, string>)) {
          const name = this.keys.attributeOfField(field);
          if (name === undefined) continue;
          try {
            data[name] = JSON.parse(json);
          } catch {
            return;
          }
        }
        if (Object.keys(data).length === 0) return;
        sessions.push({
          ...(data as unknown as SessionData),
          id: this.handleOf(keys[i] as string),
        });
      });
    }
    return sessions;
  }

  /** @private Each SCAN call is bounded, not the listing: it grows with the store. */
  private scan(): Promise<{ node: Redis; keys: string[] }[]> {
    return scanKeys(this.options.client, prefixPattern(this.keys.sessionKeyPrefix), (call) =>
      this.bounded(call),
    );
  }

  /** @private The hash tag keeps every key of one session in one Cluster slot. */
  private keyOf(sid: string): string {
    return this.keys.sessionKey(sessionIdOf(sid));
  }

  /** @private */
  private handleOf(key: string): string {
    return this.keys.idOfSessionKey(key) ?? key;
  }

  /**
   * @private Runs one store call, turning its failure into the typed errors and giving up after
   * `operationTimeoutMs` even when the client would keep the command queued.
   */
  private async bounded<T>(call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SessionStoreUnavailableError(
              new Error(
                `no answer within operationTimeoutMs (${this.options.operationTimeoutMs} ms)`,
              ),
            ),
          ),
        this.options.operationTimeoutMs,
      );
    });
    try {
      return await Promise.race([call(), timeout]);
    } catch (err) {
      throw err instanceof SessionStoreUnavailableError ? err : toStoreError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** @private */
  private corrupt(sid: string, err: SessionDataCorruptError): null {
    this.options.logger.warn(
      { err, sessionId: sessionIdOf(sid), code: err.code },
      'ignoring corrupt session data; the request continues with a new session',
    );
    return null;
  }

  /** @private Emits each transition once, as express-session expects. */
  private connectionChanged(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    this.emit(connected ? 'connect' : 'disconnect');
  }
}

/** @private Top-level key → JSON, skipping what JSON drops (undefined, functions). */
function serialize(session: SessionData): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [name, value] of Object.entries(session)) {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (err) {
      throw new SessionValueInvalidError(name, err);
    }
    if (json !== undefined) entries.set(name, json);
  }
  return entries;
}

/** @private Calls back on the next tick (a throwing callback never calls back twice), or returns the promise. */
function settle<T>(promise: Promise<T>, cb?: Callback<T>): Promise<T> | void {
  if (!cb) return promise;
  promise.then(
    (value) => process.nextTick(cb, null, value),
    (err: unknown) => process.nextTick(cb, err),
  );
}
