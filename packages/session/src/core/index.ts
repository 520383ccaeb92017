export { Session, type UpdateOptions, type WriteRecord, type UpdateOnceResult } from './session.js';
export {
  type AttributeSchema,
  type Upcaster,
  type DecodedValue,
  AttributeSchemas,
  VERSION_KEY,
} from './attribute-schema.js';
export { SessionManager, OpenSession } from './session-manager.js';
export type {
  SessionStore,
  SessionRecord,
  SessionDelta,
  StoredAttribute,
  CompareAndSetResult,
  WriteEffects,
} from './session-store.js';
export { ValkeySessionStore } from './valkey-session-store.js';
export { KeyLayout, FIELD, ATTRIBUTE_PREFIX, PRINCIPAL_FIELD } from './key-layout.js';
export type { SessionIndex, SessionInfo } from './indexed/session-index.js';
export {
  SessionEvents,
  type SessionEvent,
  type SessionEventBase,
  type SessionEventMap,
  type SessionEventType,
  type SessionEventListener,
  type SessionCreatedEvent,
  type SessionDeletedEvent,
  type SessionExpiredEvent,
} from './indexed/session-events.js';
export { IndexedValkeySessionStore, type DeletionReason } from './indexed/indexed-session-store.js';
export {
  type IndexedOptions,
  type ResolvedIndexedOptions,
  DEFAULT_INDEXED_OPTIONS,
} from './indexed/indexed-options.js';
export {
  ConfigureValkeyAction,
  ConfigureNotifyKeyspaceEventsAction,
  REQUIRED_KEYSPACE_EVENTS,
} from './indexed/configure-action.js';
export {
  type DurableWritesOptions,
  type ResolvedDurableWrites,
  DEFAULT_DURABLE_WRITES,
} from './durable/durable-writes-options.js';
export { ReplicatedSessionStore } from './durable/replicated-session-store.js';
export {
  type NearCacheOptions,
  type ResolvedNearCacheOptions,
  DEFAULT_NEAR_CACHE_OPTIONS,
} from './near-cache/near-cache-options.js';
export { NearCachedSessionStore } from './near-cache/near-cached-session-store.js';
export type { NearCacheStats } from './near-cache/near-cache.js';
export {
  type SessionOptions,
  type ResolvedSessionOptions,
  type SessionLogger,
  type SessionObserver,
  type SessionStep,
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
export {
  createValkeyClusterClient,
  type ValkeyClusterClientOptions,
} from './valkey-cluster-client.js';
export { duplicateForBackground } from './indexed/connections.js';
export { ClusterIndexedValkeySessionStore } from './indexed/cluster-indexed-session-store.js';
export { holdResponseUntilCommitted } from './response-gate.js';
export { toHttpError, RETRY_AFTER_SECONDS, type HttpErrorResponse } from './http-errors.js';
export * from './errors.js';
export { toStoreError, isReplyError } from './store-errors.js';
export { withScripts, type ScriptedClient } from './scripts/scripts.js';
