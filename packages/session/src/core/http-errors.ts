import { BatonSessionError } from './errors.js';

/** What an adapter sends for an error: status, extra headers and the JSON body. */
export interface HttpErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string } };
}

/** The one table that maps error codes to HTTP statuses; both adapters use it. */
const STATUS_BY_CODE: Record<string, number> = {
  SESSION_STORE_UNAVAILABLE: 503,
  SESSION_STORE_FULL: 503,
  SESSION_NOT_REPLICATED: 503,
  SESSION_ATTRIBUTE_TOO_LARGE: 413,
  SESSION_TOO_LARGE: 413,
  SESSION_UPDATE_CONFLICT: 409,
  SESSION_GONE: 409,
  SESSION_VALUE_INVALID: 500,
};

/** Seconds a client should wait before retrying when the store is unavailable. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Maps a @baton/session error to its HTTP response, or returns undefined for any other error so
 * the framework's own error handling stays in charge of it.
 */
export function toHttpError(err: unknown): HttpErrorResponse | undefined {
  if (!(err instanceof BatonSessionError)) return undefined;
  const status = STATUS_BY_CODE[err.code];
  if (status === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (status === 503) headers['Retry-After'] = String(RETRY_AFTER_SECONDS);
  return { status, headers, body: { error: { code: err.code, message: err.message } } };
}
