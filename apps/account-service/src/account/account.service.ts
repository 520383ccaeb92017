import { Inject, Injectable } from '@nestjs/common';
import type { Session } from '@baton/session';
import { ApiException } from '../http/api.exception.js';
import { UsersService } from '../users/users.service.js';
import type { LoginDto } from './dto/login.dto.js';
import { type SessionUser, USER_ATTRIBUTE, sessionUser } from './session-user.js';

/**
 * Login, logout and "who am I" on the shared session. The session adapter loads the session
 * before the handler runs and writes the changes before the response leaves, so these methods
 * only read and change the `Session`.
 */
@Injectable()
export class AccountService {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  /**
   * Checks the credentials and logs the session in under a new token (`changeId()`): a token
   * someone planted before the login (session fixation) stops working at that moment. The data
   * moves with the session, so an anonymous cart survives the login.
   *
   * Logging in while logged in as someone else switches the user: still a new token, and none of
   * the other user's data (their cart) carries over to this one. Logging in again as the same
   * user only renews the token and `loggedInAt`. A failed login changes nothing, not even an
   * existing login.
   */
  async login(session: Session, { username, password }: LoginDto): Promise<{ user: SessionUser }> {
    const user = await this.users.verify(username, password);
    if (!user) {
      // One answer for "no such user" and "wrong password": the caller cannot probe usernames.
      throw new ApiException(401, 'INVALID_CREDENTIALS', 'Wrong username or password');
    }
    const previous = currentUser(session);
    if (previous && previous.username !== user.username) {
      for (const name of session.attributeNames()) session.remove(name);
    }
    session.changeId();
    const loggedIn: SessionUser = { ...user, loggedInAt: new Date().toISOString() };
    session.set(USER_ATTRIBUTE, loggedIn);
    return { user: loggedIn };
  }

  /** Ends the session (the anonymous part too) and tells the client to drop its token. */
  logout(session: Session): void {
    session.invalidate();
  }

  me(session: Session): { user: SessionUser } {
    const user = currentUser(session);
    if (!user) throw new ApiException(401, 'UNAUTHENTICATED', 'Not logged in');
    return { user };
  }
}

/** @private A `user` attribute of another shape (written by a bug elsewhere) is no login. */
function currentUser(session: Session): SessionUser | undefined {
  const parsed = sessionUser.safeParse(session.get(USER_ATTRIBUTE));
  return parsed.success ? parsed.data : undefined;
}
