export { ConfigError, loadConfig, serviceEnvSchema, type ServiceEnv } from './config.js';
export { createLogger, requestLogging } from './logger.js';
export { ServiceMetrics } from './metrics.js';
export { Readiness } from './readiness.js';
export { StoreBreaker } from './store-breaker.js';
export { storeBreakerGate, storeBreakerObserver } from './store-breaker-middleware.js';
export { servedBy, type ReplicaIdentity } from './served-by.js';
export {
  serve,
  KEEP_ALIVE_TIMEOUT_MS,
  type ServeOptions,
  type UpgradeListener,
} from './graceful-server.js';
export { MAX_HEADER_BYTES, createHttpServer } from './http-server.js';
export {
  valkeyClientFrom,
  valkeyConnectionFrom,
  sessionOptionsFrom,
  durableWritesFrom,
} from './session-config.js';
export { runService, type ServiceDeps, type BuiltService } from './run-service.js';
export { ReplicaNameError, withReplicaName } from './replica-name.js';
export { FleetHeartbeat, type Heartbeat, type FleetHeartbeatOptions } from './fleet-heartbeat.js';
export { FleetKeys } from './fleet-keys.js';
export { Tracing, type HeaderSink } from './tracing.js';
export { readFleet, type FleetReplica } from './fleet-reader.js';
