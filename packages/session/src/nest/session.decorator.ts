import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Session as CoreSession } from '../core/index.js';
import { SESSION_REQUEST_KEY } from './session.constants.js';

/** A request the session middleware has been through. */
interface RequestWithSession {
  [SESSION_REQUEST_KEY]?: CoreSession;
}

/**
 * The request's Baton session, for guards, interceptors and anything else that holds the raw
 * request (handlers use `@Session()`). Throws when the session middleware did not run for the
 * request: a wiring bug (SessionModule not imported, or a route excluded), never a client error.
 */
export function sessionOf(req: object): CoreSession {
  const session = (req as RequestWithSession)[SESSION_REQUEST_KEY];
  if (session === undefined) {
    throw new Error(
      'No Baton session on this request: import SessionModule.forRoot() (or forRootAsync()) in the root module',
    );
  }
  return session;
}

/** @private Called by the middleware once the session is loaded. */
export function attachSession(req: object, session: CoreSession): void {
  Object.defineProperty(req, SESSION_REQUEST_KEY, { value: session, configurable: true });
}

/**
 * Injects the request's session (the core `Session`: `get`, `set`, `update`, `changeId`,
 * `invalidate`…). `Session` is also the type, so one import serves both:
 *
 * @example
 * import { Session } from '@baton/session/nest';
 *
 * @Post('login')
 * login(@Session() session: Session, @Body() body: LoginDto) {
 *   session.changeId();
 *   session.set('user', body.user);
 * }
 */
export const Session = createParamDecorator<unknown, CoreSession>((_data, ctx: ExecutionContext) =>
  sessionOf(ctx.switchToHttp().getRequest<object>()),
);

/** The core `Session`, under the decorator's name. */
export type Session = CoreSession;
