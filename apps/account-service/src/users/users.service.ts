import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_SCRYPT_PARAMS, PasswordHash } from './password-hash.js';
import { USER_RECORDS, type User, type UserRecord } from './user.js';

/**
 * The user directory: a fixed list of users with scrypt password hashes (the demo's, or
 * `DEMO_USERS`). Answers one question, "who is this, if the password is right?", and answers it
 * in the same time whether the username exists or not.
 */
@Injectable()
export class UsersService {
  private readonly users = new Map<string, { user: User; hash: PasswordHash }>();
  /** What an unknown username is checked against, so it costs a full scrypt like a known one. */
  private readonly unknownUserHash: PasswordHash;

  constructor(@Inject(USER_RECORDS) records: readonly UserRecord[]) {
    for (const { username, displayName, passwordHash } of records) {
      if (this.users.has(username)) throw new Error(`Duplicate username "${username}"`);
      this.users.set(username, {
        user: { username, displayName },
        hash: PasswordHash.parse(passwordHash),
      });
    }
    // The first user's cost, so an unknown name takes as long as a known one even when
    // DEMO_USERS uses a cost other than the default.
    const [first] = this.users.values();
    this.unknownUserHash = PasswordHash.unmatchable(first?.hash.params ?? DEFAULT_SCRYPT_PARAMS);
  }

  /**
   * The user when `password` is theirs, otherwise undefined: for a wrong password and an
   * unknown username alike, after the same amount of work, so neither the answer nor its timing
   * tells which usernames exist.
   */
  async verify(username: string, password: string): Promise<User | undefined> {
    const entry = this.users.get(username);
    const matches = await (entry?.hash ?? this.unknownUserHash).matches(password);
    return matches && entry ? entry.user : undefined;
  }
}
