import type { Session } from '@baton/session';
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

/** The user a session is logged in as; a `user` attribute of another shape is no login. */
export function loggedInUser(session: Session): SessionUser | undefined {
  const parsed = sessionUser.safeParse(session.get(USER_ATTRIBUTE));
  return parsed.success ? parsed.data : undefined;
}
