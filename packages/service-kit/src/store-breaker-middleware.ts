import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { StoreBreaker } from './store-breaker.js';

/**
 * Express middleware in front of whatever needs the store (the session middleware): while the
 * breaker is tripped it passes the breaker's 503 error to `next` instead of letting the request
 * wait out the command timeout. Closed, it calls `next()` at once, without a tick.
 *
 * @example
 * const breaker = new StoreBreaker(() => valkey.ping());
 * app.use('/api', storeBreakerGate(breaker), session(options), routes);
 * app.use(storeBreakerObserver(breaker), sessionErrorHandler());
 */
export function storeBreakerGate(breaker: StoreBreaker): RequestHandler {
  return function storeBreakerGate(_req, _res, next) {
    if (!breaker.isTripped) return next();
    void breaker.admit().then(next);
  };
}

/** Express error middleware: shows every error to the breaker and passes it on untouched. */
export function storeBreakerObserver(breaker: StoreBreaker): ErrorRequestHandler {
  return function storeBreakerObserver(err, _req, _res, next) {
    breaker.observe(err);
    next(err);
  };
}
