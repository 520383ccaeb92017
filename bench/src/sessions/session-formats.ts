import { createHmac, randomBytes } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { KeyLayout, newSessionToken, sessionIdOf } from '@baton/session';
import { DEFAULT_BATON_STORE_OPTIONS } from '@baton/session/express-session';
import { BASELINE_COOKIE, BASELINE_PREFIX } from '../variants/baseline-cart.js';
import type { MemoryVariantName, SessionVariantName } from '../variants/variant.js';

/** The namespace the bench's Baton replicas use: the demo's, as cart-service has it. */
export const BATON_NAMESPACE = 'myplatform:sessions';

const batonKeys = new KeyLayout(BATON_NAMESPACE);
/** BatonStore's keys: its default namespace, as the `baton-store` variant leaves it. */
const batonStoreKeys = new KeyLayout(DEFAULT_BATON_STORE_OPTIONS.namespace);

/** A session as Valkey holds it: Baton's hash, or express-session's JSON string. */
export type StoredSession = { kind: 'hash'; fields: string[] } | { kind: 'string'; value: string };

/** SCAN pattern of one variant's session keys. */
export function keyPattern(variant: MemoryVariantName): string {
  if (variant === 'baton' || variant === 'cart-service') return batonKeys.sessionKey('*');
  return variant === 'baton-store' ? batonStoreKeys.sessionKey('*') : `${BASELINE_PREFIX}*`;
}

export async function readStored(admin: Redis, key: string): Promise<StoredSession> {
  const type = await admin.type(key);
  if (type === 'hash') {
    const flat = (await admin.call('HGETALL', key)) as string[];
    return { kind: 'hash', fields: flat };
  }
  if (type === 'string') return { kind: 'string', value: (await admin.get(key)) ?? '' };
  throw new Error(`${key} is a ${type}, not a session`);
}

/** A session the bench writes itself, and the cookie that opens it through the edge (if known). */
export interface PreloadedSession {
  readonly key: string;
  /** The id the variant's store library takes: Baton's token hash, express-session's sid. */
  readonly storeId: string;
  readonly cookie?: string;
}

/**
 * Makes sessions in each variant's own format, for preloading Valkey without HTTP:
 *
 * - Baton: `<ns>:sessions:{SHA-256(token)}`; the cookie is `SESSION=<token>`.
 * - express-session: `sess:<24 random bytes, base64url>`; the cookie is `connect.sid=s:<id>.<sig>`,
 *   signed like express-session (cookie-signature: HMAC-SHA256 with the secret, base64, no `=`).
 * - express-session on BatonStore: the same sid and cookie, stored under
 *   `baton:express-session:sessions:{SHA-256(sid)}`.
 *
 * With `withCookie` false the id is random bytes of the same length and no token is kept (the
 * filler of a million sessions needs no way in).
 */
export function makeSession(
  variant: SessionVariantName,
  secret: string,
  withCookie: boolean,
): PreloadedSession {
  if (variant === 'baton') {
    if (!withCookie) {
      const id = randomBytes(32).toString('base64url');
      return { key: batonKeys.sessionKey(id), storeId: id };
    }
    const token = newSessionToken();
    const id = sessionIdOf(token);
    return { key: batonKeys.sessionKey(id), storeId: id, cookie: `SESSION=${token}` };
  }
  const sid = randomBytes(24).toString('base64url');
  const key =
    variant === 'baton-store' ? batonStoreKeys.sessionKey(sessionIdOf(sid)) : BASELINE_PREFIX + sid;
  if (!withCookie) return { key, storeId: sid };
  const signature = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return {
    key,
    storeId: sid,
    cookie: `${BASELINE_COOKIE}=${encodeURIComponent(`s:${sid}.${signature}`)}`,
  };
}

/** Queues the commands that store `stored` under `key` with `ttlMs`, as the app would have. */
export function queueWrite(
  pipeline: ChainableCommander,
  key: string,
  stored: StoredSession,
  ttlMs: number,
): void {
  if (stored.kind === 'string') {
    pipeline.set(key, stored.value, 'PX', ttlMs);
  } else {
    pipeline.hset(key, ...stored.fields);
    pipeline.pexpire(key, ttlMs);
  }
}
