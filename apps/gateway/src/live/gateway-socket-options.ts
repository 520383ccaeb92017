import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SessionManager } from '@baton/session';
import type { Readiness } from '@baton/service-kit';

/** What each of the gateway's sockets (`/ws`, `/ws/fleet`) is built from. */
export interface GatewaySocketOptions {
  instanceId: string;
  /** BUILD_VERSION, in `X-Build-Version` of the 101 answer. */
  version: string;
  manager: SessionManager;
  valkey: Redis | Cluster;
  namespace: string;
  logger: Logger;
  readiness: Readiness;
}
