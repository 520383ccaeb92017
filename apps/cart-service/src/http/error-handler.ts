import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ApiError } from './api-error.js';

/** The `type` body-parser puts on its errors, and the code a client sees for each. */
const BODY_ERROR_CODES: Record<string, string> = {
  'entity.parse.failed': 'MALFORMED_JSON',
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'request.aborted': 'BAD_REQUEST',
  'request.size.invalid': 'BAD_REQUEST',
};

/** Any route this app does not have: 404 in the platform's error shape, not Express's HTML page. */
export function notFound(): RequestHandler {
  return function routeNotFound(req, _res, next) {
    next(new ApiError(404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`));
  };
}

/**
 * The last error handler: `ApiError`s and body-parser's errors become their 4xx JSON; anything else
 * is a bug, logged with its stack and answered with a 500 that reveals nothing. Session errors are
 * answered before this by `sessionErrorHandler()`.
 */
export function jsonErrors(logger: Logger): ErrorRequestHandler {
  return function jsonErrorHandler(err: unknown, req, res, next) {
    if (res.headersSent) return next(err);
    const { status, code, message } = describe(err);
    if (status >= 500) (req.log ?? logger).error({ err }, 'unhandled error');
    res.status(status).json({ error: { code, message } });
  };
}

/** @private */
function describe(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof ApiError) return err;
  // The router's: a path parameter with a broken percent-escape (`/cart/%E0%A4`).
  if (err instanceof URIError) {
    return { status: 400, code: 'MALFORMED_PATH', message: 'The path holds a malformed %-escape' };
  }
  // body-parser's errors carry a string `type` and the status to answer with.
  const { type, status, message } = err as { type?: unknown; status?: unknown; message?: unknown };
  if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
    const code = BODY_ERROR_CODES[type] ?? 'BAD_REQUEST';
    return { status, code, message: bodyMessage(code, String(message)) };
  }
  return { status: 500, code: 'INTERNAL', message: 'Internal error' };
}

/** @private Says what the limit is and which part of the JSON broke, in the client's terms. */
function bodyMessage(code: string, detail: string): string {
  switch (code) {
    case 'MALFORMED_JSON':
      return `The request body is not valid JSON: ${detail}`;
    case 'PAYLOAD_TOO_LARGE':
      return 'The request body is larger than the limit of this service (16kb)';
    default:
      return detail;
  }
}
