import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { KeyLayout } from '@baton/session';
import { readFleet } from '@baton/service-kit';
import type { GatewaySocketOptions } from '../live/gateway-socket-options.js';
import { guardedUpgrade, refusedUpgrade } from '../live/upgrade-gate.js';
import { readSessionSnapshot } from './session-snapshot.js';

/** The fleet view's socket; `/ws` itself stays the cart's. */
export const FLEET_PATH = '/ws/fleet';

/** `manager`: only `open()` at the handshake, to learn which session key this browser may see. */
export interface FleetFeedOptions extends GatewaySocketOptions {
  /** How often the fleet (and each socket's session key) is read and sent. @default 500 */
  intervalMs?: number;
}

/**
 * `/ws/fleet`: what the shop's fleet view draws. Every 500 ms, while at least one socket is
 * open, this gateway reads the heartbeats (one index read and one pipeline, whatever the number
 * of sockets) and sends `{type: 'fleet', now, replicas}` to each socket, plus
 * `{type: 'session', session}` with that browser's own session key as stored (fields, sizes,
 * PTTL), or `session: null` when it has none. Open without a session too: the fleet is no secret
 * of one user, a session key is shown only to the browser holding its token. Read-only: nothing
 * a client sends is acted on, and no process can be controlled from here.
 */
export class FleetFeed {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly sessionOf = new Map<WebSocket, string | undefined>();
  private readonly keys: KeyLayout;
  private readonly timer: NodeJS.Timeout;
  private ticking = false;
  private failing = false;
  private closing = false;

  constructor(private readonly options: FleetFeedOptions) {
    this.keys = new KeyLayout(options.namespace);
    this.wss.on('headers', (headers) =>
      headers.push(`X-Served-By: ${options.instanceId}`, `X-Build-Version: ${options.version}`),
    );
    this.timer = setInterval(() => void this.tick(), options.intervalMs ?? 500);
    this.timer.unref();
  }

  /** Node's `upgrade` listener for {@link FLEET_PATH}. */
  readonly handleUpgrade = guardedUpgrade(
    (req, socket, head) => this.upgrade(req, socket, head),
    (err) => this.options.logger.error({ err }, 'fleet WebSocket handshake failed'),
  );

  /** SIGTERM and close(): 1001, so the view reconnects to another gateway. */
  drain(): void {
    this.closing = true;
    for (const ws of this.sessionOf.keys()) ws.close(1001, 'gateway shutting down');
  }

  async close(): Promise<void> {
    this.drain();
    clearInterval(this.timer);
    for (const ws of this.sessionOf.keys()) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** @private */
  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { instanceId, logger, manager, readiness } = this.options;
    const draining = this.closing || readiness.isDraining;
    if (refusedUpgrade(req, socket, { instanceId, draining, logger })) return;
    let sessionId: string | undefined;
    try {
      const { session } = await manager.open(req);
      sessionId = session.isNew ? undefined : session.id;
    } catch (err) {
      // The fleet is still worth showing while the store is away; the panel says "no session".
      logger.warn({ err }, 'could not load the session of a fleet socket');
    }
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      if (this.closing) return ws.close(1001, 'gateway shutting down');
      this.sessionOf.set(ws, sessionId);
      ws.once('close', () => this.sessionOf.delete(ws));
      ws.send(JSON.stringify({ type: 'hello', servedBy: instanceId }));
      void this.tick();
    });
  }

  /** @private One read of the fleet for every socket; one of each session key shown. */
  private async tick(): Promise<void> {
    if (this.ticking || this.sessionOf.size === 0) return;
    this.ticking = true;
    const { valkey, namespace, logger } = this.options;
    try {
      const replicas = await readFleet(valkey, namespace);
      const fleet = JSON.stringify({ type: 'fleet', now: Date.now(), replicas });
      const snapshots = new Map<string, string>();
      for (const id of new Set(this.sessionOf.values())) {
        if (id === undefined) continue;
        const session = (await readSessionSnapshot(valkey, this.keys, id)) ?? null;
        snapshots.set(id, JSON.stringify({ type: 'session', session }));
      }
      const none = JSON.stringify({ type: 'session', session: null });
      for (const [ws, id] of this.sessionOf) {
        if (ws.readyState !== WebSocket.OPEN) continue;
        ws.send(fleet);
        ws.send(id === undefined ? none : (snapshots.get(id) ?? none));
      }
      this.failing = false;
    } catch (err) {
      if (!this.failing) logger.warn({ err }, 'could not read the fleet');
      this.failing = true;
    } finally {
      this.ticking = false;
    }
  }
}
