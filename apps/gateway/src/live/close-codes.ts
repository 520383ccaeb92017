import type { SessionDeletedEvent } from '@baton/session';

/**
 * Close codes of `/ws` (4000–4999 is the range RFC 6455 leaves to applications). A client
 * reconnects after 1001, 1006 and 1013; after 4001–4004 and 4401 it does not: the session it
 * held is gone, and only a new sign-in (or a first cart change) gives it one.
 */
export const CLOSE = {
  /** The gateway is shutting down (SIGTERM, rolling restart): reconnect, nginx picks the other one. */
  goingAway: { code: 1001, reason: 'going away' },
  /** The session store did not answer during the handshake: reconnect with backoff. */
  tryAgainLater: { code: 1013, reason: 'session store unavailable' },
  /** Revoked from another device (`DELETE /api/account/sessions/:id`, "sign out everywhere else"). */
  revoked: { code: 4001, reason: 'session revoked' },
  /** Logged out (`POST /api/account/logout`, in this tab or another one holding the same cookie). */
  loggedOut: { code: 4002, reason: 'logged out' },
  /** Idle longer than the session's timeout. */
  expired: { code: 4003, reason: 'session expired' },
  /** Pushed out by a newer sign-in of the same user beyond `MAX_SESSIONS_PER_USER`. */
  evicted: { code: 4004, reason: 'session evicted' },
  /** The handshake carried no token, or one naming no live session; the gateway never makes one. */
  noSession: { code: 4401, reason: 'no session' },
} as const;

export type CloseFrame = (typeof CLOSE)[keyof typeof CLOSE];

/** The close frame for a session's `deleted` event: its `reason` tells logout from revocation. */
export function closeForDeletion(reason: SessionDeletedEvent['reason']): CloseFrame {
  switch (reason) {
    case 'invalidated':
      return CLOSE.loggedOut;
    case 'evicted':
      return CLOSE.evicted;
    case 'revoked':
      return CLOSE.revoked;
  }
}
