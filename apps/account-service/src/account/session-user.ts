import { z } from 'zod';

/** The session attribute that marks a session as logged in. */
export const USER_ATTRIBUTE = 'user';

/**
 * What login stores under {@link USER_ATTRIBUTE}, and what `me` answers. Other services of the
 * platform (the gateway) read the same attribute: this shape is a contract, documented in the
 * README.
 */
export const sessionUser = z.object({
  username: z.string(),
  displayName: z.string(),
  /** ISO-8601 time of the login. */
  loggedInAt: z.string(),
});

export type SessionUser = z.infer<typeof sessionUser>;
