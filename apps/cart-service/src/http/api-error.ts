/**
 * An error a handler throws on purpose, carrying the HTTP status and the stable `code` the client
 * sees in `{ error: { code, message } }`. The error handler turns it into that body; handlers
 * never build error bodies themselves.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
