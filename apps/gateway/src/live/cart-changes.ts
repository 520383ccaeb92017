import type { Cluster, Redis } from 'ioredis';
import { duplicateForBackground } from '@baton/session';
import type { Logger } from 'pino';

/**
 * The channel cart-service publishes on after every cart change it committed:
 * `PUBLISH <namespace>:cart-changes <session id>` (the public handle, never a token). A contract
 * between the two services, documented in both READMEs.
 */
export function cartChangesChannel(namespace: string): string {
  return `${namespace}:cart-changes`;
}

/** A public session id: base64url SHA-256, 43 characters. Anything else on the channel is noise. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * This gateway's subscription to cart changes, on a connection of its own (a subscribed
 * connection can run nothing else). ioredis subscribes again after a reconnect; messages published
 * meanwhile are lost (Pub/Sub keeps nothing), so `onResubscribed` lets the owner push every
 * socket a fresh cart instead.
 */
export class CartChangesSubscriber {
  private readonly subscriber: Redis | Cluster;
  private subscribedOnce = false;
  private readonly subscribed: Promise<void>;

  constructor(
    client: Redis | Cluster,
    namespace: string,
    private readonly handlers: {
      onChange: (sessionId: string) => void;
      onResubscribed: () => void;
    },
    logger: Pick<Logger, 'warn'>,
  ) {
    const channel = cartChangesChannel(namespace);
    // Waits for the server rather than failing: this connection lives as long as the gateway.
    // On a Cluster, PUBLISH reaches every node, so one subscription on any node hears it.
    this.subscriber = duplicateForBackground(client, {
      connectionName: `${connectionNameOf(client) ?? 'gateway'}:cart-changes`,
    });
    this.subscriber.on('error', () => {}); // outages are reported through the application's client
    this.subscriber.on('message', (from: string, message: string) => {
      if (from === channel && SESSION_ID.test(message)) this.handlers.onChange(message);
    });
    this.subscriber.on('ready', () => {
      if (this.subscribedOnce) this.handlers.onResubscribed();
    });
    this.subscribed = this.subscriber.subscribe(channel).then(
      () => {
        this.subscribedOnce = true;
      },
      (err: unknown) => logger.warn({ err }, 'could not subscribe to cart changes'),
    );
  }

  /** Resolves once the first SUBSCRIBE was acknowledged. */
  ready(): Promise<void> {
    return this.subscribed;
  }

  close(): void {
    this.subscriber.disconnect();
  }
}

/** @private */
function connectionNameOf(client: Redis | Cluster): string | undefined {
  return client.isCluster
    ? (client as Cluster).options.redisOptions?.connectionName
    : (client as Redis).options.connectionName;
}
