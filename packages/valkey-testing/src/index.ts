export { ValkeyProcess, type ValkeyProcessOptions, type ValkeyTlsFiles } from './valkey-process.js';
export { freePort } from './free-port.js';
export {
  ValkeySentinelGroup,
  type ValkeySentinelGroupOptions,
  type SentinelAddress,
  type FailoverReport,
} from './valkey-sentinel-group.js';
export {
  ValkeyCluster,
  type ValkeyClusterOptions,
  type ClusterNodeAddress,
} from './valkey-cluster.js';
