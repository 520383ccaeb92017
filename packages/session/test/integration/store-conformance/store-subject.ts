import type { Store } from 'express-session';

/** One store under the conformance suite, built fresh for it and torn down after it. */
export interface StoreSubject {
  /** How results and findings name it: 'BatonStore', 'MemoryStore', 'connect-redis'. */
  readonly name: string;
  readonly store: Store;
  /** What `ids()` / `all()` list for a session stored under `sid`. */
  listedIdOf(sid: string): string;
  /**
   * Makes Valkey stop answering (SIGSTOP) and back (SIGCONT); absent for an in-process store,
   * whose cases about outages do not apply.
   */
  outage?: { begin(): Promise<void>; end(): Promise<void> };
  /** Drops every client connection (CLIENT KILL), as a restart or a network blip does. */
  dropConnections?(): Promise<void>;
  close(): Promise<void>;
}
