import { ApiException } from '../http/api.exception.js';

/**
 * 429 for a login while the username or the client address is out of attempts. One message for
 * both, and for known and unknown usernames alike, so the answer tells nothing about who exists.
 */
export class TooManyLoginAttemptsException extends ApiException {
  constructor(msBeforeNext: number) {
    const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    super(
      429,
      'TOO_MANY_LOGIN_ATTEMPTS',
      `Too many failed logins for this user or from this address; try again in ${seconds} s`,
      { 'Retry-After': String(seconds) },
    );
  }
}
