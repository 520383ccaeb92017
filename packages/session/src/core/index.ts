export { Session } from './session.js';
export { SessionManager, OpenSession } from './session-manager.js';
export type {
  SessionStore,
  SessionRecord,
  SessionDelta,
  StoredAttribute,
  CompareAndSetResult,
} from './session-store.js';
export { ValkeySessionStore } from './valkey-session-store.js';
export { KeyLayout, FIELD, ATTRIBUTE_PREFIX } from './key-layout.js';
export {
  type SessionOptions,
  type ResolvedSessionOptions,
  type SessionLogger,
  type SessionObserver,
  type StoreOperation,
  DEFAULT_SESSION_OPTIONS,
  resolveOptions,
} from './options.js';
export type {
  SessionIdResolver,
  RequestHeaders,
  ResponseHeaders,
} from './id-resolvers/id-resolver.js';
export { CookieIdResolver, type CookieResolverOptions } from './id-resolvers/cookie.js';
export { HeaderIdResolver } from './id-resolvers/header.js';
export { CompositeIdResolver } from './id-resolvers/composite.js';
export { newSessionToken, isWellFormedToken, sessionIdOf } from './session-token.js';
export { createValkeyClient, waitUntilReady, type ValkeyClientOptions } from './valkey-client.js';
export { holdResponseUntilCommitted } from './response-gate.js';
export { toHttpError, RETRY_AFTER_SECONDS, type HttpErrorResponse } from './http-errors.js';
export * from './errors.js';
