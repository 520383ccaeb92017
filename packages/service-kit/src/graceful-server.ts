import { type RequestListener, type Server, createServer } from 'node:http';
import type { Logger } from 'pino';
import type { Readiness } from './readiness.js';

export interface ServeOptions {
  host: string;
  port: number;
  logger: Logger;
  readiness: Readiness;
  /** How long in-flight requests may run after SIGTERM before their connections are cut. */
  shutdownTimeoutMs: number;
  /** Runs after the server closed: quit the Valkey client, flush logs. */
  onClosed?: () => Promise<void>;
}

/**
 * Node must keep idle upstream connections open longer than nginx does (its upstream
 * keepalive_timeout is 60 s), or nginx may reuse a socket Node is closing and answer 502.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Listens, and on SIGTERM/SIGINT shuts down the way a rolling restart needs: readiness goes
 * false, the listener stops accepting, idle keep-alive connections close, in-flight requests
 * finish (each answered with `Connection: close`), then `onClosed` runs and the process exits.
 */
export async function serve(handler: RequestListener, options: ServeOptions): Promise<Server> {
  const server = createServer(handler);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  options.logger.info({ host: options.host, port: options.port }, 'listening');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    options.logger.info({ signal }, 'shutting down: draining in-flight requests');
    options.readiness.drain();
    const force = setTimeout(() => {
      options.logger.warn('shutdown timeout reached: closing remaining connections');
      server.closeAllConnections();
    }, options.shutdownTimeoutMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      void (options.onClosed?.() ?? Promise.resolve())
        .catch((err: unknown) => options.logger.error({ err }, 'error while closing'))
        .finally(() => {
          options.logger.info('stopped');
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return server;
}
