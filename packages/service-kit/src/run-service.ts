import type { RequestListener } from 'node:http';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { waitUntilReady } from '@baton/session';
import { ConfigError, type ServiceEnv, loadConfig } from './config.js';
import { type UpgradeListener, serve } from './graceful-server.js';
import { FleetHeartbeat } from './fleet-heartbeat.js';
import { createLogger } from './logger.js';
import { ReplicaNameError, withReplicaName } from './replica-name.js';
import { Readiness } from './readiness.js';
import { Tracing } from './tracing.js';
import { valkeyConnectionFrom } from './session-config.js';

/** What `runService` hands an app's factory. */
export interface ServiceDeps {
  /** A `Cluster` when `VALKEY_CLUSTER_NODES` is set. */
  valkey: Redis | Cluster;
  logger: Logger;
  readiness: Readiness;
  /** Set when OTEL_EXPORTER_OTLP_ENDPOINT is: pass it to `sessionOptionsFrom` (and the proxy). */
  tracing?: Tracing;
}

/** An app ready to serve: its request handler, and what to close after the server stopped. */
export interface BuiltService {
  handler: RequestListener;
  /** HTTP upgrades (the gateway's WebSocket) on the same server; refused when absent. */
  onUpgrade?: UpgradeListener;
  /** Called when SIGTERM arrives: close long-lived connections (WebSockets with 1001). */
  drain?: () => void;
  close?: () => Promise<void>;
}

/**
 * The `main` every Baton app shares: validate the environment (exit 1 with a message naming each
 * bad variable; a replica on compose or swarm takes its INSTANCE_ID from its container's name), connect to Valkey (not fatal: `/readyz` stays 503 until it answers), build the
 * app, serve it, and on SIGTERM drain, close the app, then quit Valkey. Meanwhile the replica
 * writes its fleet heartbeat (fleet-heartbeat.ts): `draining` from SIGTERM, deleted on exit.
 */
export async function runService<S extends z.ZodType<ServiceEnv>>(
  schema: S,
  build: (config: z.infer<S>, deps: ServiceDeps) => Promise<BuiltService> | BuiltService,
): Promise<void> {
  let config: z.infer<S>;
  try {
    config = loadConfig(schema, await withReplicaName(process.env));
  } catch (err) {
    // No logger yet: a plain line naming the variables is the useful output.
    console.error(
      err instanceof ConfigError || err instanceof ReplicaNameError ? err.message : err,
    );
    process.exit(1);
  }
  const logger = createLogger(config.INSTANCE_ID, config.LOG_LEVEL);
  const valkey = valkeyConnectionFrom(config, logger);
  await waitUntilReady(valkey).catch((err: unknown) =>
    logger.warn({ err }, 'Valkey is not reachable yet; starting anyway'),
  );
  const readiness = new Readiness(valkey);
  const identity = { instance: config.INSTANCE_ID, version: config.BUILD_VERSION };
  const tracing = Tracing.fromEnv(config, identity);
  const heartbeat = new FleetHeartbeat({
    valkey,
    namespace: config.SESSION_NAMESPACE,
    identity,
    readiness,
    logger,
  });
  try {
    const service = await build(config, { valkey, logger, readiness, ...(tracing && { tracing }) });
    const handler = tracing ? tracing.serverHandler(service.handler) : service.handler;
    await serve(heartbeat.counting(handler), {
      host: config.HOST,
      port: config.PORT,
      logger,
      readiness,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      onUpgrade: service.onUpgrade?.bind(service),
      onDrain: () => {
        service.drain?.();
        void heartbeat.beat();
      },
      onClosed: async () => {
        await heartbeat.stop();
        await service.close?.();
        await tracing?.shutdown().catch(() => undefined);
        await valkey.quit().catch(() => valkey.disconnect());
      },
    });
    heartbeat.start();
  } catch (err) {
    logger.fatal({ err }, 'could not start');
    valkey.disconnect();
    process.exit(1);
  }
}
