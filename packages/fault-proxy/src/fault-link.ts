import net, { type Server, type Socket } from 'node:net';
import { PASS, type Fault } from './fault.js';
import { PacedPipe } from './paced-pipe.js';

export interface LinkTarget {
  readonly host: string;
  readonly port: number;
}

/** What a link has carried and holds now; the figures a gray-fault test prints. */
export interface LinkStats {
  /** Client connections open now. */
  readonly connections: number;
  /** Client connections accepted since the link was opened. */
  readonly accepted: number;
  /** Connections this link reset (the `reset` fault). */
  readonly resets: number;
  /** Bytes read and not yet forwarded, both directions (a stall's backlog). */
  readonly heldBytes: number;
  /** Bytes forwarded since the link was opened, both directions. */
  readonly forwardedBytes: number;
}

/** A client connection and its connection to the target, with one paced pipe each way. */
interface Connection {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly pipes: readonly [PacedPipe, PacedPipe];
}

/**
 * One listening port on 127.0.0.1 that forwards every connection to `target` through the current
 * fault. The target may move (`retarget`): new connections go to the new address, open ones stay.
 */
export class FaultLink {
  #fault: Fault = PASS;
  #target: LinkTarget;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #accepted = 0;
  #resets = 0;
  #forwardedByClosed = 0;

  private constructor(server: Server, target: LinkTarget) {
    this.#server = server;
    this.#target = target;
  }

  /** Listens on `port` (0: any free one) of 127.0.0.1; resolves once it accepts. */
  static async open(port: number, target: LinkTarget): Promise<FaultLink> {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const link = new FaultLink(server, target);
    server.on('connection', (client) => link.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return link;
  }

  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('link is not listening');
    return address.port;
  }

  get target(): LinkTarget {
    return this.#target;
  }

  get fault(): Fault {
    return this.#fault;
  }

  retarget(target: LinkTarget): void {
    this.#target = target;
  }

  /** Applies `fault` to open connections and to new ones; `reset` resets every open one now. */
  setFault(fault: Fault): void {
    this.#fault = fault;
    if (fault.mode === 'reset') {
      for (const connection of [...this.#connections]) this.#reset(connection);
      return;
    }
    for (const { pipes } of this.#connections) for (const pipe of pipes) pipe.faultChanged();
  }

  stats(): LinkStats {
    let heldBytes = 0;
    let forwardedBytes = this.#forwardedByClosed;
    for (const { pipes } of this.#connections) {
      for (const pipe of pipes) {
        heldBytes += pipe.heldBytes;
        forwardedBytes += pipe.forwardedBytes;
      }
    }
    return {
      connections: this.#connections.size,
      accepted: this.#accepted,
      resets: this.#resets,
      heldBytes,
      forwardedBytes,
    };
  }

  /** Stops listening and destroys every open connection. */
  async close(): Promise<void> {
    for (const connection of [...this.#connections]) this.#drop(connection);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** @private */
  #accept(client: Socket): void {
    this.#accepted++;
    if (this.#fault.mode === 'reset') {
      this.#resets++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ ...this.#target, allowHalfOpen: true });
    const fault = () => this.#fault;
    const connection: Connection = {
      client,
      upstream,
      pipes: [
        new PacedPipe(client, upstream, fault, true),
        new PacedPipe(upstream, client, fault, false),
      ],
    };
    this.#connections.add(connection);
    // An error or a close on either side ends both: a refused target looks to the client like a
    // reset, which is what it would see without the proxy.
    const end = (error?: Error) =>
      error ? this.#reset(connection, false) : this.#drop(connection);
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', () => this.#drop(connection));
    upstream.on('close', () => this.#drop(connection));
    client.resume();
  }

  /** @private */
  #reset(connection: Connection, count = true): void {
    if (!this.#connections.has(connection)) return;
    if (count) this.#resets++;
    this.#forget(connection);
    for (const socket of [connection.client, connection.upstream]) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
  }

  /** @private */
  #drop(connection: Connection): void {
    if (!this.#connections.has(connection)) return;
    this.#forget(connection);
    connection.client.destroy();
    connection.upstream.destroy();
  }

  /** @private */
  #forget(connection: Connection): void {
    this.#connections.delete(connection);
    for (const pipe of connection.pipes) {
      this.#forwardedByClosed += pipe.forwardedBytes;
      pipe.close();
    }
  }
}
