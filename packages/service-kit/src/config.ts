import { z } from 'zod';

/** Thrown at start-up when the environment is wrong; the message names every bad variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

/** The variables every Baton app reads. Apps extend it with their own. */
export const serviceEnvSchema = z.object({
  /** Names this replica in logs, metrics, `servedBy` and `X-Served-By` (e.g. `cart-1`). */
  INSTANCE_ID: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be 1-40 of a-z, 0-9 and -'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(1).max(65535),
  VALKEY_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  REDIS_PASSWORD: z.string().min(1).optional(),
  VALKEY_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  SESSION_NAMESPACE: z
    .string()
    .regex(/^[\w:.-]+$/)
    .default('myplatform:sessions'),
  SESSION_MAX_INACTIVE_SECONDS: z.coerce.number().int().min(1).default(1800),
  /** Secure cookies by default; `false` only for plain-HTTP demos (curl on http://localhost). */
  COOKIE_SECURE: booleanFromEnv.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long in-flight requests may take to finish after SIGTERM before connections are cut. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
});

export type ServiceEnv = z.infer<typeof serviceEnvSchema>;

/**
 * Parses and validates the environment once, at start-up. Throws {@link ConfigError} listing
 * each offending variable by name, so a typo fails the boot instead of the first request.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
  );
}
