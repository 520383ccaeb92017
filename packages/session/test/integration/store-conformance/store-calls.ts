import type { SessionData, Store } from 'express-session';

/** The stored form express-session gives a store: `cookie` as JSON, plus the app's keys. */
export function sessionData(ttlMs: number, keys: Record<string, unknown> = {}): SessionData {
  return {
    cookie: {
      originalMaxAge: ttlMs,
      expires: new Date(Date.now() + ttlMs).toISOString(),
      secure: false,
      httpOnly: true,
      path: '/',
      sameSite: 'lax',
    },
    ...keys,
  } as unknown as SessionData;
}

/** A store method called the way express-session calls it (last argument a callback), as a promise. */
export function call<T = unknown>(store: Store, method: string, ...args: unknown[]): Promise<T> {
  const fn = (store as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`the store has no ${method}()`));
  return new Promise((resolve, reject) => {
    fn.call(store, ...args, (err: unknown, value: T) => (err ? reject(err) : resolve(value)));
  });
}

/** What JSON keeps of a value: the form a round trip through any JSON store must preserve. */
export function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with what `promise` resolved with, or with `'timeout'` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
