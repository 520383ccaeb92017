import { z } from 'zod';

/** "is required" for a missing field, "must be a string" for anything else that is not one. */
const text = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

/**
 * `POST /api/account/login`. Other fields (a form's "remember me") are ignored rather than
 * refused. The password's upper bound keeps a request from feeding scrypt megabytes.
 */
export const loginBody = z.object({
  username: text(64),
  password: text(1024),
});

export type LoginDto = z.infer<typeof loginBody>;
