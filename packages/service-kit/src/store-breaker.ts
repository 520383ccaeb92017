import { setTimeout as sleep } from 'node:timers/promises';
import { SessionStoreUnavailableError } from '@baton/session';

/** How long a request waits for a probe's answer before it gets its 503: short beside 500 ms. */
const PROBE_WAIT_MS = 50;

/**
 * Fails fast while Valkey is known to be unreachable from this replica. Without it, every request
 * waits out the 500 ms command timeout of a stalled store before its 503, and nginx, which
 * retries a 503 on the sibling replica (right for one replica cut off from Valkey), multiplies
 * that wait by every try at both of its hops: about 2 s per request when the whole store stalls.
 *
 * A request that met `SESSION_STORE_UNAVAILABLE` trips it ({@link observe}). While tripped, one
 * PING at a time checks whether Valkey answers again, and a request that needs the store waits at
 * most 50 ms for that PING ({@link admit}): answered, the breaker closes and the request goes on;
 * else it gets the same 503 + Retry-After. On a stall the PING that was held is answered the
 * moment the link heals, so traffic flows again at once.
 *
 * Knows no HTTP framework: `storeBreakerGate`/`storeBreakerObserver` put it in an Express app, and
 * a Nest app on platform-express mounts the same gate and calls `observe` from its exception filter.
 */
export class StoreBreaker {
  #tripped = false;
  #probing: Promise<void> | undefined;

  /** `ping` is one round trip to the store (the app's client, with its command timeout). */
  constructor(private readonly ping: () => Promise<unknown>) {}

  get isTripped(): boolean {
    return this.#tripped;
  }

  /** Trips on a `SessionStoreUnavailableError`; any other error says nothing about the store. */
  observe(err: unknown): void {
    if (err instanceof SessionStoreUnavailableError) this.#tripped = true;
  }

  /**
   * Whether a request that needs the store may go on: `undefined` when it may (closed, or the
   * probe answered within the short wait), else the 503 error to answer with. Never rejects.
   */
  async admit(): Promise<SessionStoreUnavailableError | undefined> {
    if (!this.#tripped) return undefined;
    await Promise.race([this.#probe(), sleep(PROBE_WAIT_MS)]);
    return this.#tripped ? unavailable() : undefined;
  }

  /**
   * The PING in flight, else a new one: never more than one at a time, which is what bounds the
   * commands a stalled store is sent (a refused connection fails a PING at once, without I/O).
   * Never rejects. @private
   */
  #probe(): Promise<void> {
    if (this.#probing) return this.#probing;
    this.#probing = this.ping().then(
      () => {
        this.#tripped = false;
        this.#probing = undefined;
      },
      () => {
        this.#probing = undefined;
      },
    );
    return this.#probing;
  }
}

/** @private */
function unavailable(): SessionStoreUnavailableError {
  return new SessionStoreUnavailableError(new Error('store breaker open: Valkey did not answer'));
}
