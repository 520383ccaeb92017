import type { Cluster, Redis } from 'ioredis';
import type { ResolvedSessionOptions, SessionLogger } from '../options.js';
import { ClusterIndexedValkeySessionStore } from './cluster-indexed-session-store.js';
import { isCluster, mastersOf } from './connections.js';
import { EventStreamConsumer } from './event-consumer.js';
import { ExpiryWatcher } from './expiry-watcher.js';
import type { ResolvedIndexedOptions } from './indexed-options.js';
import { IndexedValkeySessionStore } from './indexed-session-store.js';
import { SessionEvents } from './session-events.js';

/**
 * Everything indexed mode runs besides the scripts: the configure action, the consumer group,
 * the expiry watcher and its periodic sweep. It starts on construction and stops with `close()`.
 *
 * On start and after every reconnect of the client (a Valkey restart forgets `CONFIG SET` and,
 * without persistence, the stream) it runs the configure action, makes sure the consumer group
 * exists, and sweeps, since notifications sent while it was disconnected are lost.
 *
 * On a Cluster the store is {@link ClusterIndexedValkeySessionStore}, and the configure action
 * and the expiry subscription run on every master (they are per server there).
 */
export class IndexedMode {
  readonly store: IndexedValkeySessionStore | ClusterIndexedValkeySessionStore;
  readonly events: SessionEvents;
  private readonly consumer: EventStreamConsumer;
  private readonly watcher: ExpiryWatcher;
  private readonly timer: NodeJS.Timeout;
  private readonly started: Promise<void>;
  private markStarted: () => void = () => {};
  /** Maintenance runs one at a time: start, every reconnect, every sweep interval. */
  private running: Promise<void> = Promise.resolve();
  private readonly logger: SessionLogger;
  private groupReady = false;
  private failing = false;
  private closed = false;

  constructor(
    private readonly client: Redis | Cluster,
    options: ResolvedSessionOptions,
    private readonly indexed: ResolvedIndexedOptions,
  ) {
    const { logger } = options;
    this.logger = logger;
    this.store = isCluster(client)
      ? new ClusterIndexedValkeySessionStore(
          client,
          options.namespace,
          logger,
          options.observer,
          indexed,
        )
      : new IndexedValkeySessionStore(client, options.namespace, logger, options.observer, indexed);
    this.consumer = new EventStreamConsumer(
      client,
      this.store.keys.eventsKey,
      indexed.group,
      indexed.consumerName,
      indexed.claimIdleMs,
      (event) => this.events.dispatch(event),
      logger,
    );
    this.events = new SessionEvents(true, logger, () => this.consumer.start());
    this.watcher = new ExpiryWatcher(client, this.store, logger);

    const maintained = new Promise<void>((resolve) => (this.markStarted = resolve));
    // A Cluster client knows its masters only once it is ready: maintain() subscribes then.
    this.started = Promise.all([isCluster(client) ? undefined : this.subscribe(), maintained]).then(
      () => undefined,
    );
    client.on('ready', this.onReady);
    this.timer = setInterval(() => this.maintain(false), indexed.sweepIntervalMs);
    this.timer.unref();
    if (client.status === 'ready') this.onReady();
  }

  /** Resolves once subscribed, configured, with the group in place and a first sweep done. */
  ready(): Promise<void> {
    return this.started;
  }

  /** Settles due expirations now (what the periodic sweep does). Resolves how many expired. */
  sweep(): Promise<number> {
    return this.watcher.sweep();
  }

  /** Stops the sweep, the subscriber and the event consumer; never touches the client itself. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.client.off('ready', this.onReady);
    await this.running;
    await this.consumer.close();
    await this.watcher.close();
  }

  /** @private */
  private subscribe(): Promise<void> {
    return this.watcher.subscribe().catch((err: unknown) => {
      this.logger.warn({ err }, 'cannot subscribe to expirations; relying on the sweep alone');
    });
  }

  /** @private */
  private readonly onReady = (): void => {
    this.groupReady = false;
    this.maintain(true);
  };

  /** @private */
  private maintain(reconnected: boolean): void {
    this.running = this.running.then(async () => {
      // Not connected (yet): the client's 'ready' runs this again, and the application reports
      // outages through its own client.
      if (this.closed || this.client.status !== 'ready') return;
      const logger = this.logger;
      if (reconnected) {
        const action = this.indexed.configureAction;
        await Promise.all(mastersOf(this.client).map((server) => action.configure(server))).catch(
          (err: unknown) => {
            logger.warn(
              { err },
              "could not set notify-keyspace-events; set it to Egx on the server (and configureAction: 'none'), expired events wait for the sweep until then",
            );
          },
        );
        if (isCluster(this.client)) await this.subscribe();
      }
      try {
        if (!this.groupReady) await this.consumer.ensureGroup();
        this.groupReady = true;
        await this.watcher.sweep();
        this.failing = false;
        this.markStarted();
      } catch (err) {
        if (!this.failing) logger.warn({ err }, 'session index maintenance failed; retrying');
        this.failing = true;
      }
    });
  }
}
