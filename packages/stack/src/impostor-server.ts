import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** An HTTP server that answers as `impostor`, on an address it took as soon as it was free. */
export interface ImpostorServer {
  /** Requests it answered. */
  hits(): number;
  /** Resolves true once it listens (the address was freed), false if closed before. */
  readonly listening: Promise<boolean>;
  close(): Promise<void>;
}

/** How often it tries to take the address while something else still holds it. */
const RETRY_MS = 10;

/**
 * Listens on `address` (`host:port`) the moment it is free (retrying every 10 ms) and answers
 * every request `200 {"servedBy":"impostor"}` with `X-Served-By: impostor`: what a proxy that
 * still uses a recreated replica's old address would reach. For tests of `recreate` (the stack's
 * own and the e2e scenario).
 *
 * @example
 * const impostor = occupyWhenFree('127.0.0.1:40123');
 * await stack.recreate('cart-1');
 * assert.equal(impostor.hits(), 0);
 * await impostor.close();
 */
export function occupyWhenFree(address: string): ImpostorServer {
  const [host, port] = address.split(':') as [string, string];
  let hits = 0;
  let closed = false;
  const server = http.createServer((_req, res) => {
    hits++;
    res
      .writeHead(200, { 'content-type': 'application/json', 'x-served-by': 'impostor' })
      .end('{"servedBy":"impostor"}');
  });
  const listening = (async () => {
    while (!closed) {
      const bound = await new Promise<boolean>((resolve) => {
        // Each attempt removes its own listeners: a failed listen() leaves them on the server.
        const onError = () => {
          server.off('listening', onListening);
          resolve(false);
        };
        const onListening = () => {
          server.off('error', onError);
          resolve(true);
        };
        server.once('error', onError).once('listening', onListening);
        server.listen(Number(port), host);
      });
      if (bound) return true;
      await sleep(RETRY_MS);
    }
    return false;
  })();
  return {
    hits: () => hits,
    listening,
    async close() {
      closed = true;
      if (!(await listening)) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
