import type { IncomingMessage, RequestListener, Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { createHttpServer } from './http-server.js';
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
  /** Handles HTTP upgrade requests (WebSocket); without it Node refuses them. */
  onUpgrade?: UpgradeListener;
  /**
   * Runs as soon as shutdown starts, right after readiness turned false: end long-lived
   * connections (WebSockets) here. The server only finishes closing once they are gone, and
   * `closeAllConnections()` at the timeout does not reach upgraded sockets.
   */
  onDrain?: () => void;
  /**
   * Idle keep-alive connections are closed after this, in ms. Keep it above nginx's upstream
   * keepalive_timeout (see {@link KEEP_ALIVE_TIMEOUT_MS}). @default KEEP_ALIVE_TIMEOUT_MS
   */
  keepAliveTimeoutMs?: number;
}

/** Node's `upgrade` event: the request, its socket (no longer HTTP) and the first bytes after it. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Node must keep idle upstream connections open longer than nginx does (its upstream
 * keepalive_timeout is 1 s), or nginx may reuse a socket Node is closing and answer 502.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Listens, and on SIGTERM/SIGINT shuts down the way a rolling restart needs: readiness goes
 * false, `onDrain` ends long-lived connections, the listener stops accepting, in-flight requests
 * finish (each answered with `Connection: close`), idle keep-alive connections are left for nginx
 * to close, then `onClosed` runs and the process exits.
 *
 * Why idle connections are not closed here: nginx may have just written a request onto one that
 * Node still counts as idle. Closing it resets that request, and nginx never resends a POST it
 * already sent, so the client would get a 502. Instead each idle connection either carries one
 * more request (answered with `Connection: close`) or is closed by nginx after its upstream
 * keepalive_timeout (1 s, below SHUTDOWN_TIMEOUT_MS); the timeout below is only the backstop.
 */
export async function serve(handler: RequestListener, options: ServeOptions): Promise<Server> {
  const server = createHttpServer(handler);
  if (options.onUpgrade) server.on('upgrade', options.onUpgrade);
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS;
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.headersTimeout = keepAliveTimeoutMs + 1_000;
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
    try {
      options.onDrain?.();
    } catch (err) {
      options.logger.error({ err }, 'error while draining');
    }
    const force = setTimeout(() => {
      options.logger.warn('shutdown timeout reached: closing remaining connections');
      server.closeAllConnections();
    }, options.shutdownTimeoutMs);
    force.unref();
    // net.Server's close, not http.Server's: since Node 19 the latter also drops idle
    // keep-alive connections, which is exactly the race described above.
    NetServer.prototype.close.call(server, () => {
      clearTimeout(force);
      void (options.onClosed?.() ?? Promise.resolve())
        .catch((err: unknown) => options.logger.error({ err }, 'error while closing'))
        .finally(() => {
          options.logger.info('stopped');
          process.exit(0);
        });
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return server;
}
