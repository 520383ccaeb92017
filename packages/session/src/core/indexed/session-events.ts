import type { SessionLogger } from '../options.js';
import { SessionOptionsInvalidError } from '../errors.js';
import type { DeletionReason } from './indexed-session-store.js';

/** What every session event carries. */
export interface SessionEventBase {
  /** The stream entry id: unique per event, the same on a redelivery. Dedupe on it if you must. */
  eventId: string;
  /** The session's public handle (never a token). */
  id: string;
  /** The session's principal, if it had one when the event was recorded. */
  principal?: string;
  /** When Valkey recorded the event. */
  at: Date;
}

/** A session was written to the store for the first time (Spring's `SessionCreatedEvent`). */
export interface SessionCreatedEvent extends SessionEventBase {
  type: 'created';
}

/** A session was deleted before it expired (Spring's `SessionDeletedEvent`). */
export interface SessionDeletedEvent extends SessionEventBase {
  type: 'deleted';
  /** `invalidated` (logout), `revoked` (`SessionIndex`), `evicted` (per-principal limit). */
  reason: DeletionReason;
}

/** A session reached its idle timeout (Spring's `SessionExpiredEvent`). */
export interface SessionExpiredEvent extends SessionEventBase {
  type: 'expired';
}

export interface SessionEventMap {
  created: SessionCreatedEvent;
  deleted: SessionDeletedEvent;
  expired: SessionExpiredEvent;
}

export type SessionEventType = keyof SessionEventMap;
export type SessionEvent = SessionEventMap[SessionEventType];
export type SessionEventListener<K extends SessionEventType> = (
  event: SessionEventMap[K],
) => void | Promise<void>;

/**
 * The session events of indexed mode, as a typed emitter (`manager.events`). Each event is
 * handed to one node of the consumer group (`indexed.group`), not to every node: register the
 * same listeners on every replica of a service. A node starts taking events when its first
 * listener is registered, and keeps taking them until the manager is closed.
 *
 * Listeners run one event at a time, in stream order; a returned promise is awaited before the
 * event is acknowledged. A listener that throws is logged; the event still counts as handled.
 *
 * @example
 * manager.events.on('expired', async ({ id, principal }) => {
 *   await audit.log('session expired', { id, principal });
 * });
 */
export class SessionEvents {
  private readonly listeners: { [K in SessionEventType]: Set<SessionEventListener<K>> } = {
    created: new Set(),
    deleted: new Set(),
    expired: new Set(),
  };

  constructor(
    private readonly enabled: boolean,
    private readonly logger: SessionLogger,
    private readonly onFirstListener: () => void = () => {},
  ) {}

  /** Calls `listener` for every event of `type` this node takes. Throws unless indexed mode is on. */
  on<K extends SessionEventType>(type: K, listener: SessionEventListener<K>): this {
    if (!this.enabled) {
      throw new SessionOptionsInvalidError(
        'indexed',
        'is not set: session events need indexed mode',
      );
    }
    const set = this.listeners[type] as Set<SessionEventListener<K>> | undefined;
    if (!set || typeof listener !== 'function') {
      throw new TypeError(`on(type, listener): type is created, deleted or expired`);
    }
    set.add(listener);
    this.onFirstListener();
    return this;
  }

  off<K extends SessionEventType>(type: K, listener: SessionEventListener<K>): this {
    (this.listeners[type] as Set<SessionEventListener<K>> | undefined)?.delete(listener);
    return this;
  }

  /** @private Runs the listeners of one event, one after the other; never throws. */
  async dispatch(event: SessionEvent): Promise<void> {
    const set = this.listeners[event.type] as Set<SessionEventListener<typeof event.type>>;
    for (const listener of [...set]) {
      try {
        await listener(event as never);
      } catch (err) {
        this.logger.warn(
          { err, event },
          'a session event listener failed; the event is not retried',
        );
      }
    }
  }
}
