export { createStack, type Stack } from './stack.js';
export { DEFAULT_STACK_OPTIONS, type ResolvedStackOptions, type StackOptions } from './options.js';
export type { ProcessStatus, StackDriver, StackEvent } from './stack-driver.js';
export { StackError, type StackErrorCode } from './errors.js';
export {
  APP_WORKSPACE,
  DEFAULT_REPLICAS,
  MAX_REPLICAS,
  SERVICES,
  isProcessName,
  replicaName,
  serviceOf,
  type ProcessName,
  type ReplicaName,
  type ServiceName,
} from './topology.js';
export {
  NO_RESOLVER,
  TEMPLATE_VARIABLES,
  renderTemplate,
  upstreamServers,
  type TemplateVariable,
} from './nginx-template.js';
export { occupyWhenFree, type ImpostorServer } from './impostor-server.js';
export { findExecutable } from './local/binaries.js';
export { nginxArgs, nginxMainConfig } from './local/nginx-config.js';
export { freePort } from './local/ports.js';
export { httpOk, tcpAccepts, valkeyPong, waitUntil, type Probe } from './local/probes.js';
export { VALKEY_ADMIN_USER, VALKEY_APP_USER } from './local/valkey-credentials.js';
