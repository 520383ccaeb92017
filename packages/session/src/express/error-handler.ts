import type { ErrorRequestHandler } from 'express';
import { toHttpError } from '../core/index.js';

/**
 * Express error middleware that answers @baton/session errors (store down → 503 + Retry-After,
 * too large → 413, …) with `{ error: { code, message } }`; anything else goes to the next
 * error handler. Mount it after your routes.
 */
export function sessionErrorHandler(): ErrorRequestHandler {
  return function batonSessionErrors(err, _req, res, next) {
    const mapped = toHttpError(err);
    if (!mapped || res.headersSent) return next(err);
    res.status(mapped.status).set(mapped.headers).json(mapped.body);
  };
}
