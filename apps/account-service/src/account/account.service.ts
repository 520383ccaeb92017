import { Inject, Injectable } from '@nestjs/common';
import type { Session } from '@baton/session';
import { ApiException } from '../http/api.exception.js';
import { LOGIN_THROTTLE, type LoginThrottle } from '../login-throttle/login-throttle.js';
import { UsersService } from '../users/users.service.js';
import type { LoginDto } from './dto/login.dto.js';
import { type ClientInfo, IP_ATTRIBUTE, USER_AGENT_ATTRIBUTE } from './client-info.js';
import { type SessionUser, USER_ATTRIBUTE, loggedInUser } from './session-user.js';

/**
 * Login, logout and "who am I" on the shared session. The session adapter loads the session
 * before the handler runs and writes the changes before the response leaves, so these methods
 * only read and change the `Session`.
 */
@Injectable()
export class AccountService {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
  ) {}

  /**
   * Counts the attempt against the username and the client address (429
   * `TOO_MANY_LOGIN_ATTEMPTS` + `Retry-After` once either is out of attempts; a success resets
   * the username's count), checks the credentials and logs the session in under a new token
   * (`changeId()`): a token someone planted before the login (session fixation) stops working at
   * that moment. The data moves with the session, so an anonymous cart survives the login.
   *
   * Logging in while logged in as someone else switches the user: still a new token, and none of
   * the other user's data (their cart) carries over to this one. Logging in again as the same
   * user only renews the token and `loggedInAt`. A failed login changes nothing, not even an
   * existing login.
   *
   * The session becomes one of the user's (`setPrincipal`: the index behind "your sessions",
   * where a sign-in beyond `MAX_SESSIONS_PER_USER` signs out the least recently used one), and
   * records the device it came from. All of it is written in one step with the rename.
   */
  async login(
    session: Session,
    { username, password }: LoginDto,
    client: ClientInfo,
  ): Promise<{ user: SessionUser }> {
    // Counted before the password is checked: out of attempts is 429 even for the right one.
    await this.throttle.attempt(username, client.ip);
    const user = await this.users.verify(username, password);
    if (!user) {
      // One answer for "no such user" and "wrong password": the caller cannot probe usernames.
      throw new ApiException(401, 'INVALID_CREDENTIALS', 'Wrong username or password');
    }
    await this.throttle.succeeded(username, client.ip);
    const previous = loggedInUser(session);
    if (previous && previous.username !== user.username) {
      for (const name of session.attributeNames()) session.remove(name);
    }
    session.changeId();
    const loggedIn: SessionUser = { ...user, loggedInAt: new Date().toISOString() };
    session.set(USER_ATTRIBUTE, loggedIn);
    session.setPrincipal(user.username);
    setOrRemove(session, USER_AGENT_ATTRIBUTE, client.userAgent);
    setOrRemove(session, IP_ATTRIBUTE, client.ip);
    return { user: loggedIn };
  }

  /**
   * Ends the session (the anonymous part too) and tells the client to drop its token. In the
   * index it is gone at once, and its `deleted` event (reason `invalidated`) closes its sockets.
   */
  logout(session: Session): void {
    session.invalidate();
  }

  me(session: Session): { user: SessionUser } {
    const user = loggedInUser(session);
    if (!user) throw new ApiException(401, 'UNAUTHENTICATED', 'Not logged in');
    return { user };
  }
}

/** @private */
function setOrRemove(session: Session, name: string, value: string | undefined): void {
  if (value === undefined) session.remove(name);
  else session.set(name, value);
}
