import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  type Session,
  SessionManager,
  type SessionOptions,
  holdResponseUntilCommitted,
} from '../core/index.js';

export { sessionErrorHandler } from './error-handler.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The Baton session of this request; see `Session`. */
    session: Session;
  }
}

/**
 * Express middleware: loads the session into `req.session` and writes its changes before the
 * response leaves (so the next request, on any node, reads them). Options are checked here,
 * once, not per request. Pass a `SessionManager` to share one with readiness checks or metrics.
 *
 * @example
 * const app = express();
 * app.use(session({ client: createValkeyClient(), namespace: 'myplatform:sessions' }));
 * app.post('/cart/:item', async (req, res) => {
 *   const cart = await req.session.update<string[]>('cart', (c = []) => [...c, req.params.item]);
 *   res.json({ sessionId: req.session.id, cart });
 * });
 * app.use(sessionErrorHandler());
 */
export function session(options: SessionOptions | SessionManager): RequestHandler {
  const manager = options instanceof SessionManager ? options : new SessionManager(options);
  return async function batonSession(req: Request, res: Response, next: NextFunction) {
    let opened;
    try {
      opened = await manager.open(req);
    } catch (err) {
      return next(err);
    }
    req.session = opened.session;
    holdResponseUntilCommitted(res, () => opened.commit(res), manager.options.logger);
    next();
  };
}
