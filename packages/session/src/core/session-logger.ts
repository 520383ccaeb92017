/** The subset of pino's (or console's) API the session layer logs through. */
export interface SessionLogger {
  warn(obj: object, msg: string): void;
}
