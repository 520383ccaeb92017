export { createStack, type Stack } from './stack.js';
export { DEFAULT_STACK_OPTIONS, type ResolvedStackOptions, type StackOptions } from './options.js';
export type { ProcessStatus, StackDriver, StackEvent } from './stack-driver.js';
export { StackError, type StackErrorCode } from './errors.js';
export { APP_REPLICAS, PROCESS_NAMES, type AppReplica, type ProcessName } from './topology.js';
export { TEMPLATE_VARIABLES, renderTemplate, type TemplateVariable } from './nginx-template.js';
export { nginxArgs, nginxMainConfig } from './local/nginx-config.js';
export { freePort } from './local/ports.js';
export { httpOk, tcpAccepts, valkeyPong, waitUntil, type Probe } from './local/probes.js';
