import type { Cluster, Redis } from 'ioredis';
import { RateLimiterRes, RateLimiterValkey } from 'rate-limiter-flexible';
import { SessionStoreUnavailableError } from '@baton/session';
import { TooManyLoginAttemptsException } from './too-many-login-attempts.exception.js';

/** Limits on failed logins, the same on every replica (the counters live in Valkey). */
export interface LoginThrottleOptions {
  /** Failed logins one username may take per window; the next attempt is 429. */
  maxFailuresPerUser: number;
  /** Failed logins one client address may make per window, across usernames. */
  maxFailuresPerIp: number;
  /** Length of the fixed window, in seconds, counted from the first failure in it. */
  windowSeconds: number;
  /** Key prefix in Valkey: `<prefix>:user:<username>`, `<prefix>:ip:<address>`. */
  keyPrefix: string;
}

/** DI token of the throttle (like throttler's storage token). */
export const LOGIN_THROTTLE = Symbol('LOGIN_THROTTLE');

/**
 * Brute-force protection for `POST /api/account/login`, per username and per client address,
 * with counters in Valkey so every replica sees every attempt (rate-limiter-flexible's Valkey
 * store: SET NX EX, INCRBY and PTTL in one script).
 *
 * Every attempt takes a point from both counters *before* the password is checked, in one atomic
 * step per counter, so a burst of parallel guesses cannot slip past the limit between a check and
 * an increment. A success gives the points back: the username's counter is deleted (the user is
 * not locked out by their own typo after they got in) and the address gets its point back, so
 * only failures count against it.
 */
export class LoginThrottle {
  private readonly perUser: RateLimiterValkey;
  private readonly perIp: RateLimiterValkey;

  constructor(valkey: Redis | Cluster, options: LoginThrottleOptions) {
    const common = { storeClient: valkey, duration: options.windowSeconds };
    this.perUser = new RateLimiterValkey({
      ...common,
      keyPrefix: `${options.keyPrefix}:user`,
      points: options.maxFailuresPerUser,
    });
    this.perIp = new RateLimiterValkey({
      ...common,
      keyPrefix: `${options.keyPrefix}:ip`,
      points: options.maxFailuresPerIp,
    });
  }

  /**
   * Counts one login attempt. Throws {@link TooManyLoginAttemptsException} (429 + Retry-After)
   * when the username or the address is out of attempts, whatever the password; a store error
   * is `SessionStoreUnavailableError` (503), as for the session itself.
   */
  async attempt(username: string, ip: string | undefined): Promise<void> {
    const results = await Promise.allSettled([
      this.perUser.consume(username),
      this.perIp.consume(ip ?? 'unknown'),
    ]);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const failure = refused.find((reason) => !(reason instanceof RateLimiterRes));
    if (failure !== undefined) throw new SessionStoreUnavailableError(failure);
    const waits = refused.map((reason) => (reason as RateLimiterRes).msBeforeNext);
    if (waits.length > 0) throw new TooManyLoginAttemptsException(Math.max(...waits));
  }

  /** The attempt was a success: the username starts afresh, and the address gets its point back. */
  async succeeded(username: string, ip: string | undefined): Promise<void> {
    await Promise.all([this.perUser.delete(username), this.perIp.reward(ip ?? 'unknown')]).catch(
      (err: unknown) => {
        throw new SessionStoreUnavailableError(err);
      },
    );
  }
}
