export { ValkeyProcess, type ValkeyProcessOptions } from './valkey-process.js';
export { freePort } from './free-port.js';
