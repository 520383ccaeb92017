import { serviceEnvSchema } from '@baton/service-kit';
import { z } from 'zod';
import { PasswordHash } from './users/password-hash.js';

const userRecord = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 of letters, digits and . _ -'),
  displayName: z.string().trim().min(1).max(100),
  passwordHash: z.string().superRefine((text, ctx) => {
    try {
      PasswordHash.parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }),
});

/**
 * `DEMO_USERS`: a JSON array of `{username, displayName, passwordHash}` that replaces the demo
 * users. Checked whole at start-up, so a typo fails the boot (naming `DEMO_USERS` and the entry)
 * instead of silently leaving nobody able to log in.
 */
const demoUsers = z
  .string()
  .transform((text, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `must be JSON: ${(err as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(userRecord, { error: 'must be a JSON array of {username, displayName, passwordHash}' })
      .min(1, 'must list at least one user')
      .refine((users) => new Set(users.map((u) => u.username)).size === users.length, {
        error: 'usernames must be unique',
      }),
  );

/** The variables every Baton app reads, plus the user list and the session limit. */
export const accountEnvSchema = serviceEnvSchema.extend({
  DEMO_USERS: demoUsers.optional(),
  /**
   * Most sessions one user may have alive: a sign-in beyond it signs out the user's session
   * closest to expiry (the least recently used one). Every replica must use the same value.
   */
  MAX_SESSIONS_PER_USER: z.coerce
    .number({ error: 'must be a whole number from 1 to 1000' })
    .int('must be a whole number from 1 to 1000')
    .min(1, 'must be a whole number from 1 to 1000')
    .max(1000, 'must be a whole number from 1 to 1000')
    .default(5),
  /** Failed logins one username may take per window before login answers 429. */
  LOGIN_MAX_FAILURES_PER_USER: wholeNumber(1, 1000).default(5),
  /** Failed logins one client address may make per window, across usernames (offices share one). */
  LOGIN_MAX_FAILURES_PER_IP: wholeNumber(1, 100_000).default(50),
  /** The login throttle's fixed window, in seconds, counted from a window's first failure. */
  LOGIN_THROTTLE_WINDOW_SECONDS: wholeNumber(1, 86_400).default(900),
});

/** @private */
function wholeNumber(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
}

export type AccountConfig = z.infer<typeof accountEnvSchema>;
