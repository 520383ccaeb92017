import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Counter, Gauge, type Registry } from 'prom-client';
import { WebSocket, WebSocketServer } from 'ws';
import { CartChangesSubscriber } from './cart-changes.js';
import { cartSnapshotOf } from './cart-snapshot.js';
import { CLOSE, type CloseFrame, closeForDeletion } from './close-codes.js';
import { refuseUpgrade } from './refuse-upgrade.js';
import { SocketRegistry } from './socket-registry.js';
import type { GatewaySocketOptions } from './gateway-socket-options.js';
import { guardedUpgrade, refusedUpgrade } from './upgrade-gate.js';

/** `manager`: indexed, composite resolver, `group` = this gateway's own: it must see every event. */
export interface LiveUpdatesOptions extends GatewaySocketOptions {
  /** Where the socket gauge and counters go (the app's `ServiceMetrics.registry`). */
  registry: Registry;
  /** Ping interval; a socket that did not answer the previous ping is cut. @default 25_000 */
  heartbeatMs?: number;
  /** How long sockets get to answer a 1001 before they are cut. @default 2_000 */
  closeGraceMs?: number;
}

/** The path browsers and API clients open; every other upgrade is a 404. */
export const WEBSOCKET_PATH = '/ws';
/** Clients have nothing to say beyond pongs; larger frames close the socket (1009). */
const MAX_PAYLOAD_BYTES = 1024;

/**
 * `/ws`: live cart updates and session endings, pushed to the sockets of one session on any
 * gateway.
 *
 * - **Handshake.** Same-origin check (403 before the upgrade), then the session is loaded once
 *   from the `SESSION` cookie or `X-Auth-Token`; without a live session the socket is closed
 *   with 4401. A socket never creates a session.
 * - **Cart.** cart-service publishes the session id on `<ns>:cart-changes` after each change;
 *   every gateway is subscribed, and one holding sockets of that session loads the session once
 *   and sends `{ "type": "cart", "cart": { lines, count } }` to each of them.
 * - **Endings.** This gateway's manager reads the session events in a consumer group of its own,
 *   so it sees every `deleted` and `expired` event and closes the sockets of that session with
 *   4001 (revoked), 4002 (logged out), 4003 (expired) or 4004 (evicted).
 * - **Heartbeat** every 25 s, and 1001 on shutdown (`drain()` / `close()`).
 */
export class LiveUpdates {
  private readonly sockets = new SocketRegistry();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  private readonly cartChanges: CartChangesSubscriber;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly closes: Counter<'code'>;
  private readonly pushes: Counter;
  private readonly closeGraceMs: number;
  private closing = false;
  private pushFailing = false;

  constructor(private readonly options: LiveUpdatesOptions) {
    const { manager, logger, registry } = options;
    this.closeGraceMs = options.closeGraceMs ?? 2_000;
    this.wss.on('headers', (headers) =>
      headers.push(`X-Served-By: ${options.instanceId}`, `X-Build-Version: ${options.version}`),
    );
    this.cartChanges = new CartChangesSubscriber(
      options.valkey,
      options.namespace,
      {
        onChange: (sessionId) => void this.pushCart(sessionId),
        onResubscribed: () => this.sockets.sessions().forEach((id) => void this.pushCart(id)),
      },
      logger,
    );
    manager.events.on('deleted', (event) => this.end(event.id, closeForDeletion(event.reason)));
    manager.events.on('expired', (event) => this.end(event.id, CLOSE.expired));
    this.heartbeat = setInterval(() => this.ping(), options.heartbeatMs ?? 25_000);
    this.heartbeat.unref();

    const sockets = this.sockets;
    new Gauge({
      name: 'baton_websocket_connections',
      help: 'Open /ws sockets on this gateway',
      registers: [registry],
      collect() {
        this.set(sockets.size);
      },
    });
    this.closes = new Counter({
      name: 'baton_websocket_closes_total',
      help: '/ws sockets closed by the gateway, by close code',
      labelNames: ['code'],
      registers: [registry],
    });
    this.pushes = new Counter({
      name: 'baton_websocket_cart_pushes_total',
      help: 'Cart messages sent to /ws sockets',
      registers: [registry],
    });
  }

  /** Resolves once cart changes are subscribed and the session events are running. */
  async ready(): Promise<void> {
    await Promise.all([this.cartChanges.ready(), this.options.manager.ready()]);
  }

  /** Node's `upgrade` listener (pass it to service-kit's `serve()` as `onUpgrade`). */
  readonly handleUpgrade = guardedUpgrade(
    (req, socket, head) => this.upgrade(req, socket, head),
    (err) => this.options.logger.error({ err }, 'WebSocket handshake failed'),
  );

  /** SIGTERM: refuse new sockets and close the open ones with 1001; cut them after a grace. */
  drain(): void {
    if (this.closing) return;
    this.closing = true;
    for (const ws of this.sockets.all()) this.closeWith(ws, CLOSE.goingAway);
    setTimeout(() => this.sockets.all().forEach((ws) => ws.terminate()), this.closeGraceMs).unref();
  }

  /** Closes every socket with 1001 (waiting up to the grace for them), then the subscription. */
  async close(): Promise<void> {
    this.drain();
    clearInterval(this.heartbeat);
    const open = this.sockets
      .all()
      .map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.closeGraceMs).unref());
    await Promise.race([Promise.all(open), grace]);
    this.sockets.all().forEach((ws) => ws.terminate());
    this.cartChanges.close();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** @private */
  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { instanceId, logger, manager, readiness } = this.options;
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path !== WEBSOCKET_PATH) {
      return refuseUpgrade(socket, 404, 'NOT_FOUND', `No WebSocket at ${path}`, instanceId);
    }
    if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
      return refuseUpgrade(socket, 400, 'BAD_UPGRADE', 'Only WebSocket upgrades', instanceId);
    }
    const draining = this.closing || readiness.isDraining;
    if (refusedUpgrade(req, socket, { instanceId, draining, logger })) return;

    // Read-only: open() loads (and touches) a session the token names, or starts an empty one
    // in memory that is never committed, so a socket never creates a session.
    let outcome: { sessionId: string } | CloseFrame;
    try {
      const { session } = await manager.open(req);
      outcome = session.isNew ? CLOSE.noSession : { sessionId: session.id };
    } catch (err) {
      logger.warn({ err }, 'could not load the session of a WebSocket');
      outcome = CLOSE.tryAgainLater;
    }
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      if ('code' in outcome) return this.closeWith(ws, outcome);
      if (this.closing) return this.closeWith(ws, CLOSE.goingAway);
      this.accept(ws, outcome.sessionId);
    });
  }

  /** @private */
  private accept(ws: WebSocket, sessionId: string): void {
    this.sockets.add(sessionId, ws);
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.send(JSON.stringify({ type: 'hello', servedBy: this.options.instanceId }));
  }

  /**
   * @private One load of the session (on the app's connection, so loads for one session come back
   * in the order their notifications arrived), then one message per socket of that session here.
   */
  private async pushCart(sessionId: string): Promise<void> {
    if (this.sockets.of(sessionId).length === 0) return;
    let message: string;
    try {
      const record = await this.options.manager.store.loadAndTouch(sessionId, Date.now());
      // Gone: its deleted or expired event closes the sockets.
      if (!record) return;
      message = JSON.stringify({ type: 'cart', cart: cartSnapshotOf(record) });
      this.pushFailing = false;
    } catch (err) {
      if (!this.pushFailing) this.options.logger.warn({ err }, 'could not load a changed cart');
      this.pushFailing = true;
      return;
    }
    for (const ws of this.sockets.of(sessionId)) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      ws.send(message);
      this.pushes.inc();
    }
  }

  /** @private */
  private end(sessionId: string, frame: CloseFrame): void {
    for (const ws of this.sockets.of(sessionId)) this.closeWith(ws, frame);
  }

  /** @private */
  private closeWith(ws: WebSocket, frame: CloseFrame): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    this.closes.inc({ code: String(frame.code) });
    ws.close(frame.code, frame.reason);
  }

  /** @private A socket that did not answer the last ping (a dead peer, a cut NAT) is cut. */
  private ping(): void {
    for (const ws of this.sockets.all()) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}
