/** The part of a session's `cookie` that decides how long the store keeps it. */
interface CookieLike {
  expires?: Date | string | number | null | false;
  maxAge?: number | null;
}

/**
 * How many ms the store keeps a session from `now`: until `cookie.expires` (a Date or the ISO
 * string JSON makes of it), else for `cookie.maxAge` ms, else `defaultTtlMs`. Millisecond
 * precision, not rounded up to seconds. Zero or less means the session has expired: the caller
 * deletes it.
 */
export function ttlOf(session: { cookie?: CookieLike }, now: number, defaultTtlMs: number): number {
  const cookie = session.cookie;
  if (cookie && cookie.expires) {
    const at = new Date(cookie.expires).getTime();
    if (Number.isFinite(at)) return Math.ceil(at - now);
  }
  if (cookie && typeof cookie.maxAge === 'number' && Number.isFinite(cookie.maxAge)) {
    return Math.ceil(cookie.maxAge);
  }
  return defaultTtlMs;
}
