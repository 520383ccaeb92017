/** Who a user is, as login answers it and the session keeps it. Never holds the password hash. */
export interface User {
  username: string;
  displayName: string;
}

/** A user as configured: the demo list or `DEMO_USERS`, with its `scrypt$N$r$p$salt$hash`. */
export interface UserRecord extends User {
  passwordHash: string;
}

/** DI token of the user list the directory is built from (like throttler's storage token). */
export const USER_RECORDS = Symbol('USER_RECORDS');
