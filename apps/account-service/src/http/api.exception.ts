import { HttpException } from '@nestjs/common';

/**
 * An error a service throws on purpose, with the HTTP status and the stable `code` the client
 * reads in `{ error: { code, message } }`. The exception filter writes that body; handlers and
 * services never build error bodies themselves.
 */
export class ApiException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (`Retry-After` of a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super({ code, message }, status);
  }
}
