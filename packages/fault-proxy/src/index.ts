export { PASS, describeFault, faultSchema, type Fault, type FaultMode } from './fault.js';
export { FaultLink, type LinkStats, type LinkTarget } from './fault-link.js';
export { FaultProxy, type LinkView } from './fault-proxy.js';
export { FaultProxyClient } from './fault-proxy-client.js';
export { controlServer } from './control-server.js';
export { FaultProxyError, type FaultProxyErrorCode } from './errors.js';
export { HELD_BYTES_HIGH_WATER } from './paced-pipe.js';
