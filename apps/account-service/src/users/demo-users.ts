import type { UserRecord } from './user.js';

/**
 * The demo's users, `alice`/`alice123` and `bob`/`bob123`. The hashes were made once with
 * `hash-password` and committed, rather than hashed at every start, so the code holds no
 * plaintext password and shows the format `DEMO_USERS` expects. Replace the list with
 * `DEMO_USERS` anywhere that is not a local demo.
 */
export const DEMO_USERS: readonly UserRecord[] = [
  {
    username: 'alice',
    displayName: 'Alice Liddell',
    passwordHash:
      'scrypt$16384$8$1$sB6AbStx2zvXErwQsTbTjA$nMYFM3Agw12woDY6DL7vHXMZ7FSERhyMv-LN9nP1QDs',
  },
  {
    username: 'bob',
    displayName: 'Bob Builder',
    passwordHash:
      'scrypt$16384$8$1$T8XhYLlvdZhkJaFYml_AoA$WOImYRmd6K4PYTHFoSHlnPfics4QTtjc_Dpk9Wc94Vc',
  },
];
