// The page's `/ws` connection: live cart changes from other tabs and devices, and the end of the
// session (revoked, logged out, expired, evicted) with a message instead of a silent failure.

import type { PushedLine } from './cart-pricing.js';
import { ReconnectingSocket } from './reconnecting-socket.js';

export interface PushedCart {
  lines: PushedLine[];
  count: number;
}

export interface LiveUpdatesHandlers {
  /** The session's cart changed (in any tab, on any device): draw it. */
  onCart(cart: PushedCart): void;
  /** The session ended elsewhere: show `message` and return to the signed-out state. */
  onSessionEnded(message: string): void;
}

/** What each of the gateway's closing codes means to the person looking at the page. */
const ENDED: Record<number, string> = {
  4001: 'This session was signed out from another device.',
  4002: 'You signed out in another tab or window.',
  4003: 'Your session expired. Sign in again to continue.',
  4004: 'This session was signed out because your account signed in on too many devices.',
};
/** No session (yet): wait until a cart change or a sign-in gives this browser one. */
const NO_SESSION = 4401;

/**
 * The page's socket to `/ws`. It reconnects with a capped, jittered backoff after the gateway
 * went away (1001 on a rolling restart, 1006 when cut, 1013 when the store is briefly
 * unavailable). After 4001–4004 and 4401 it waits: the session it named is gone, and `connect()`
 * (after a cart change) or `reconnect()` (after a sign-in) opens the next one.
 */
export class LiveUpdates {
  private readonly socket = new ReconnectingSocket({
    path: '/ws',
    baseDelayMs: 500,
    maxDelayMs: 15_000,
    onMessage: (message) => this.onMessage(message),
    onClose: (code) => this.onClose(code),
  });

  constructor(
    private readonly handlers: LiveUpdatesHandlers,
    private readonly status: HTMLElement | null,
  ) {}

  /**
   * Opens a socket unless one is open or on its way (call it after a change: it may have made a
   * session). Returns true when it opened one, i.e. this tab had no live session until now.
   */
  connect(): boolean {
    const opened = this.socket.start();
    if (opened) this.show('Live updates: connecting…');
    return opened;
  }

  /** A new socket for a new session token (after signing in). */
  reconnect(): void {
    this.socket.restart();
    this.show('Live updates: connecting…');
  }

  /** Closes the socket and stays closed (before this tab signs out: its own logout is no news). */
  stop(): void {
    this.socket.stop();
  }

  /** @private */
  private onMessage(message: { type?: unknown; servedBy?: unknown; cart?: unknown }): void {
    if (message.type === 'hello') {
      this.show(`Live updates: on (${String(message.servedBy)})`);
    } else if (message.type === 'cart' && Array.isArray((message.cart as PushedCart)?.lines)) {
      this.handlers.onCart(message.cart as PushedCart);
    }
  }

  /** @private True when the socket should come back: the connection went, the session did not. */
  private onClose(code: number): boolean {
    const ended = ENDED[code];
    if (ended !== undefined || code === NO_SESSION) {
      this.show('Live updates: off until you add something or sign in');
      if (ended !== undefined) this.handlers.onSessionEnded(ended);
      return false;
    }
    this.show('Live updates: reconnecting…');
    return true;
  }

  /** @private */
  private show(text: string): void {
    if (this.status) this.status.textContent = text;
  }
}
