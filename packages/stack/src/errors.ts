/**
 * Every failure the stack reports on purpose. `code` is stable (tests and scripts match on it);
 * `message` is one line a person can act on, and names the log file when a process is involved.
 */
export type StackErrorCode =
  /** valkey-server, nginx or docker is not installed. */
  | 'STACK_BINARY_NOT_FOUND'
  /** An app's dist/src/main.js is missing: `npm run build` has not run. */
  | 'STACK_NOT_BUILT'
  /** A public port (EDGE_PORT, VALKEY_PORT) is taken by something else. */
  | 'STACK_PORT_IN_USE'
  /** A name that is not a process of the stack (or, for `recreate`, not one of its replicas). */
  | 'STACK_UNKNOWN_PROCESS'
  /** A command that needs a running stack found no state (`up` has not run). */
  | 'STACK_NOT_UP'
  /** `run` found processes of this stack already running. */
  | 'STACK_ALREADY_RUNNING'
  /** A process did not become ready in time, or exited while starting. */
  | 'STACK_NOT_READY'
  /** A process did not exit in time after being asked to stop. */
  | 'STACK_STOP_TIMEOUT'
  /** rolling-restart found a replica whose sibling is not ready. */
  | 'STACK_SIBLING_NOT_READY'
  /** state.json exists but cannot be read. */
  | 'STACK_STATE_CORRUPT'
  /** Another invocation held the state lock for too long. */
  | 'STACK_STATE_LOCKED'
  /** An option or environment variable has an invalid value. */
  | 'STACK_OPTIONS_INVALID'
  /** An external command (docker compose, nginx -t, the build) failed. */
  | 'STACK_COMMAND_FAILED';

export class StackError extends Error {
  override readonly name = 'StackError';

  constructor(
    readonly code: StackErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
