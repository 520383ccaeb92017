/**
 * DI token of the module's options: the object given to `SessionModule.forRoot()` or returned by
 * the factory of `forRootAsync()` (one token for both, like `@nestjs/throttler`).
 */
export const SESSION_MODULE_OPTIONS = Symbol('SESSION_MODULE_OPTIONS');

/**
 * Where the middleware keeps a request's session. A symbol, not `req.session`, so it cannot clash
 * with `express-session` or `@types/express-session` in the same app; read it with `@Session()`
 * or `sessionOf(req)`.
 */
export const SESSION_REQUEST_KEY = Symbol.for('@baton/session');
