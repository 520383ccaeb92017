/**
 * Every error @baton/session throws on purpose. Each has a stable `code`; adapters turn codes
 * into HTTP statuses through one table (`http-errors.ts`), so handlers never build error bodies.
 */
export abstract class BatonSessionError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Valkey did not answer in time, the connection is down, or the store is full. → 503 */
export class SessionStoreUnavailableError extends BatonSessionError {
  readonly code = 'SESSION_STORE_UNAVAILABLE';

  constructor(cause: unknown) {
    super(
      'The session store (Valkey) did not answer within commandTimeoutMs or is not connected; retry shortly',
      { cause },
    );
  }
}

/** Valkey refused a write because it reached maxmemory (noeviction). → 503 */
export class SessionStoreFullError extends BatonSessionError {
  readonly code = 'SESSION_STORE_FULL';

  constructor(cause: unknown) {
    super('The session store is full (maxmemory reached with noeviction); nothing was written', {
      cause,
    });
  }
}

/**
 * `durableWrites` with `onTimeout: 'fail'`: the primary applied the write but fewer replicas than
 * asked acknowledged it within the timeout, so a failover now could lose it. → 503
 */
export class SessionNotReplicatedError extends BatonSessionError {
  readonly code = 'SESSION_NOT_REPLICATED';

  constructor(
    readonly acknowledged: number,
    readonly replicas: number,
    readonly timeoutMs: number,
  ) {
    super(
      `The session write reached the primary but ${acknowledged} of ${replicas} replicas acknowledged it within ${timeoutMs} ms; it may not survive a failover`,
    );
  }
}

/** One attribute's JSON is larger than `maxAttributeBytes`. → 413 */
export class SessionAttributeTooLargeError extends BatonSessionError {
  readonly code = 'SESSION_ATTRIBUTE_TOO_LARGE';

  constructor(
    readonly attribute: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`Session attribute "${attribute}" would be ${bytes} bytes; the limit is ${limit} bytes`);
  }
}

/** All attributes of one session together are larger than `maxSessionBytes`. → 413 */
export class SessionTooLargeError extends BatonSessionError {
  readonly code = 'SESSION_TOO_LARGE';

  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`The session would hold ${bytes} bytes of attributes; the limit is ${limit} bytes`);
  }
}

/** A value that JSON cannot represent (a function, a symbol, a BigInt, a cycle). → 500: a bug in the caller. */
export class SessionValueInvalidError extends BatonSessionError {
  readonly code = 'SESSION_VALUE_INVALID';

  constructor(attribute: string, cause?: unknown) {
    super(`Session attribute "${attribute}" is not JSON-serializable`, { cause });
  }
}

/** `update()` lost the compare-and-set race `updateMaxAttempts` times in a row. → 409 */
export class SessionUpdateConflictError extends BatonSessionError {
  readonly code = 'SESSION_UPDATE_CONFLICT';

  constructor(
    readonly attribute: string,
    readonly attempts: number,
  ) {
    super(
      `Session attribute "${attribute}" kept changing under concurrent updates; gave up after ${attempts} attempts (raise updateMaxAttempts if this is expected)`,
    );
  }
}

/** The session was deleted (logout, revoke, expiry) by someone else while this request ran. → 409 */
export class SessionGoneError extends BatonSessionError {
  readonly code = 'SESSION_GONE';

  constructor() {
    super('The session ended (logged out, revoked or expired) while this request was running');
  }
}

/**
 * Stored data that is not what Baton writes (not a hash, not JSON, a missing field). Never reaches
 * a client: the store logs it and the request continues with a fresh session.
 */
export class SessionDataCorruptError extends BatonSessionError {
  readonly code = 'SESSION_DATA_CORRUPT';

  constructor(detail: string, cause?: unknown) {
    super(`Stored session data is corrupt: ${detail}`, { cause });
  }
}

/** Thrown at start-up, never per request; the message names the option. */
export class SessionOptionsInvalidError extends BatonSessionError {
  readonly code = 'SESSION_OPTIONS_INVALID';

  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`Invalid session option "${option}": ${problem}`);
  }
}
