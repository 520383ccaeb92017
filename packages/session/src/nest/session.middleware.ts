import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
// The same response gate as the Express adapter: Nest on platform-express hands middleware
// Node's very `res`.
import { SessionManager, holdResponseUntilCommitted } from '../core/index.js';
import { attachSession } from './session.decorator.js';

/**
 * Loads the session before anything else of Nest's pipeline runs and holds the response until
 * its changes are committed (Spring Session's `SessionRepositoryFilter`).
 *
 * Why a middleware and not an interceptor: guards run before interceptors, and an auth guard must
 * read the session; and a gate on `res.write/end` catches every way a Nest response leaves (a
 * returned value, `@Res({ passthrough: true })`, `@Res()` used directly, a guard's or a filter's
 * error response), where an interceptor sees only the handler's return value. Requires
 * `@nestjs/platform-express`.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware<Request, Response> {
  constructor(@Inject(SessionManager) private readonly manager: SessionManager) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    // A rejection here (store down) goes to Nest's exception filters: SessionExceptionFilter
    // answers 503 + Retry-After.
    const opened = await this.manager.open(req);
    attachSession(req, opened.session);
    holdResponseUntilCommitted(res, () => opened.commit(res), this.manager.options.logger);
    next();
  }
}
