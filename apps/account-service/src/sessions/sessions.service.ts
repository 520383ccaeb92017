import { Inject, Injectable } from '@nestjs/common';
import { type Session, type SessionInfo, SessionManager } from '@baton/session';
import { ApiException } from '../http/api.exception.js';
import { IP_ATTRIBUTE, USER_AGENT_ATTRIBUTE } from '../account/client-info.js';
import { type SessionUser, loggedInUser } from '../account/session-user.js';
import type { SessionList, SessionView } from './session-view.js';
/**
 * "Your sessions": the signed-in user's sessions from the session package's principal index
 * (`manager.index`), and revoking them. Each index call is one atomic round trip, and touches
 * only sessions whose hash names this user, so a handle of somebody else's session lists,
 * revokes and reveals nothing. A revoked session's `deleted` event (reason `revoked`) closes its
 * WebSockets on every gateway.
 */
@Injectable()
export class SessionsService {
  constructor(@Inject(SessionManager) private readonly manager: SessionManager) {}

  /** The user's live sessions, most recently active first (so this one leads the list). */
  async list(session: Session): Promise<SessionList> {
    const user = signedIn(session);
    const found = await this.manager.index.findByPrincipal(user.username, {
      attributes: [USER_AGENT_ATTRIBUTE, IP_ATTRIBUTE],
    });
    const sessions = found
      .sort(
        (a, b) =>
          b.lastAccessedAt.getTime() - a.lastAccessedAt.getTime() ||
          b.createdAt.getTime() - a.createdAt.getTime(),
      )
      .map((info) => viewOf(info, session.id));
    return { sessions };
  }

  /**
   * Signs out one of the user's sessions. The current one is signed out like a logout (deleted
   * and its token expired in the answer); another user's or an unknown id is 404, whichever it
   * is, so ids cannot be probed.
   */
  async revoke(session: Session, id: string): Promise<void> {
    const user = signedIn(session);
    if (id === session.id) {
      session.invalidate();
      return;
    }
    if (!(await this.manager.index.revoke(user.username, id))) {
      throw new ApiException(404, 'SESSION_NOT_FOUND', 'You have no session with this id');
    }
  }

  /** "Sign out everywhere else": every session of the user but this one. */
  async revokeOthers(session: Session): Promise<{ revoked: number }> {
    const user = signedIn(session);
    return { revoked: await this.manager.index.revokeAllExcept(user.username, session.id) };
  }
}

/** @private */
function signedIn(session: Session): SessionUser {
  const user = loggedInUser(session);
  if (!user) throw new ApiException(401, 'UNAUTHENTICATED', 'Not logged in');
  return user;
}

/** @private */
function viewOf(info: SessionInfo, currentId: string): SessionView {
  return {
    id: info.id,
    createdAt: info.createdAt.toISOString(),
    lastAccessedAt: info.lastAccessedAt.toISOString(),
    expiresAt: info.expiresAt.toISOString(),
    userAgent: text(info.attributes[USER_AGENT_ATTRIBUTE]),
    ip: text(info.attributes[IP_ATTRIBUTE]),
    current: info.id === currentId,
  };
}

/** @private */
function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
