import {
  SessionDataCorruptError,
  SessionStoreFullError,
  SessionStoreUnavailableError,
} from './errors.js';

/** An error Valkey answered with (as opposed to a timeout or a dropped connection). */
export function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

// `ERR ACL failure in script`: a command inside a script touched a key or ran a command the ACL
// user may not (a plain command says NOPERM); NOAUTH/WRONGPASS: the credentials are wrong.
// NOREPLICAS: a primary configured with `min-replicas-to-write` has too few replicas, and every
// session command writes (a load slides the expiry).
const UNAVAILABLE_REPLIES =
  /^(READONLY|LOADING|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN|NOPERM|NOAUTH|WRONGPASS|NOREPLICAS)\b|^ERR ACL failure/;

/**
 * Turns what an ioredis call threw into the typed error the adapters map to a status. A reply
 * error is Valkey saying no (OOM is the one we expect); anything else (a timeout, a closed or not
 * yet open connection, exhausted retries) means the store cannot be reached. Every store on
 * ioredis (the native one and `BatonStore`) goes through this one table.
 */
export function toStoreError(err: unknown): unknown {
  if (err instanceof SessionDataCorruptError) return err;
  if (isReplyError(err)) {
    const message = String(err.message);
    if (message.startsWith('OOM')) return new SessionStoreFullError(err);
    // The server answered but cannot serve us right now: a replica after failover, a restart
    // still loading its AOF, a busy script, a cluster reconfiguring, a primary short of
    // replicas, or an ACL we lack.
    if (UNAVAILABLE_REPLIES.test(message)) return new SessionStoreUnavailableError(err);
    return err;
  }
  return new SessionStoreUnavailableError(err);
}
