import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Tells the gateways that a session's cart changed, so they can push it to that session's open
 * WebSockets (other tabs, other devices): `PUBLISH <namespace>:cart-changes <session id>`.
 *
 * - **The public id, never the token**: anyone may subscribe to a channel.
 * - **After the write was acknowledged**: `session.update()` resolves only then, so a gateway
 *   that loads the session on this message reads the change (read-your-writes for the pushed
 *   reader), and loads for one session come back in the order of these messages.
 * - **One extra command, not awaited**: the response does not wait for it, and a failed publish
 *   (Valkey just went away) costs a live update, never the change itself. It is logged once per
 *   outage.
 * - **Pub/Sub, not the session event stream**: a cart change is a transient "look again" hint
 *   for sockets that are open right now, needed by every gateway at once. The stream keeps
 *   entries and hands each to one consumer per group; a change nobody is watching needs neither.
 */
export class CartChangePublisher {
  readonly channel: string;
  private failing = false;

  constructor(
    private readonly client: Redis | Cluster,
    namespace: string,
    private readonly logger: Pick<Logger, 'warn' | 'info'>,
  ) {
    this.channel = cartChangesChannel(namespace);
  }

  /** Announces that `sessionId`'s cart was written. Never throws, never delays the caller. */
  changed(sessionId: string): void {
    this.client.publish(this.channel, sessionId).then(
      () => {
        if (this.failing) this.logger.info('cart change notifications work again');
        this.failing = false;
      },
      (err: unknown) => {
        if (!this.failing) {
          this.logger.warn({ err }, 'could not publish a cart change; live views miss it');
        }
        this.failing = true;
      },
    );
  }
}

/** The channel name, a contract with the gateway (apps/gateway/src/live/cart-changes.ts). */
export function cartChangesChannel(namespace: string): string {
  return `${namespace}:cart-changes`;
}
