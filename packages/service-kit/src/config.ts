import { existsSync } from 'node:fs';
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

/**
 * `host:port,host:port,…` (sentinels, cluster nodes) as `{ host, port }[]`. compose passes
 * `${NAME:-}` for an unset variable, so an empty value means not set.
 */
function hostPortList(example: string) {
  return z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .regex(
        /^[\w.-]+:\d{1,5}(,[\w.-]+:\d{1,5})*$/,
        `must be host:port[,host:port…], e.g. ${example}`,
      )
      .transform((list) =>
        list.split(',').map((address) => {
          const [host, port] = address.split(':') as [string, string];
          return { host, port: Number(port) };
        }),
      )
      .refine(
        (list) => list.every(({ port }) => port >= 1 && port <= 65535),
        'ports must be 1-65535',
      )
      .optional(),
  );
}

/** The variables every Baton app reads. Apps extend it with their own. */
export const serviceEnvSchema = z.object({
  /** Names this replica in logs, metrics, `servedBy` and `X-Served-By` (e.g. `cart-1`). */
  INSTANCE_ID: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be 1-40 of a-z, 0-9 and -'),
  /**
   * The build this replica runs, in `/healthz` and `X-Build-Version` on every response, so a
   * deploy can be watched taking over (the stack sets it per replica; compose from the image).
   * Empty (compose's `${BUILD_VERSION:-}`) is unset.
   */
  BUILD_VERSION: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .regex(/^[\w.+-]{1,64}$/, 'must be 1-64 of letters, digits and _ . + -')
      .default('dev'),
  ),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(1).max(65535),
  VALKEY_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /** Overrides the URL's password. Never logged (see logger.ts). */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** The ACL user to AUTH as (infra/valkey/users.acl: `baton`); without it, `default`. */
  REDIS_USERNAME: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'must be 1-64 of letters, digits and . - _')
    .optional(),
  /** PEM file of the CA that signed Valkey's certificate, for a `rediss://` URL (private CA). */
  VALKEY_TLS_CA_FILE: z
    .string()
    .min(1)
    .refine((file) => existsSync(file), 'no such file')
    .optional(),
  /**
   * Indexed mode's ConfigureValkeyAction: `auto` sends CONFIG GET/SET notify-keyspace-events at
   * start and after each reconnect; `none` sends no CONFIG (an ACL user without it, managed
   * services), so the server must be configured with `notify-keyspace-events Egx`.
   */
  VALKEY_CONFIGURE_ACTION: z.enum(['auto', 'none']).default('auto'),
  /**
   * Sentinel mode: `host:port,host:port,…` of the sentinels. When set, the client asks them for
   * the primary of `VALKEY_SENTINEL_NAME` and `VALKEY_URL`'s host is not used.
   */
  VALKEY_SENTINELS: hostPortList('127.0.0.1:26379,127.0.0.1:26380'),
  /** The master group name the sentinels monitor (`sentinel monitor <name> …`). */
  VALKEY_SENTINEL_NAME: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'must be 1-64 of letters, digits and . - _')
    .default('baton'),
  /**
   * Cluster mode: `host:port,host:port,…` of the cluster's nodes (any reachable one is enough to
   * learn the rest). When set, the client is an ioredis `Cluster` and `VALKEY_URL`'s host is not
   * used (its password and user still are).
   */
  VALKEY_CLUSTER_NODES: hostPortList('127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002'),
  VALKEY_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  SESSION_NAMESPACE: z
    .string()
    .regex(/^[\w:.-]+$/)
    .default('myplatform:sessions'),
  SESSION_MAX_INACTIVE_SECONDS: z.coerce.number().int().min(1).default(1800),
  /**
   * Base URL of an OTLP/HTTP receiver (a collector, Jaeger, Tempo): traces are sent to
   * `<url>/v1/traces`. Unset or empty: tracing is off, and nothing of it runs.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  ),
  /**
   * The session near cache (`nearCache` of @baton/session): repeated reads of a session served
   * from memory, invalidated through CLIENT TRACKING (docs/near-cache.md). Off by default; not
   * for services in indexed mode (the session layer refuses that combination at start).
   */
  SESSION_NEAR_CACHE: booleanFromEnv.default(false),
  /**
   * Durable writes (@baton/session `durableWrites`): after each session write, WAIT until this
   * many replicas hold it; 0 is off. Requests fail with 503 SESSION_NOT_REPLICATED when they do
   * not answer within SESSION_DURABLE_WRITES_TIMEOUT_MS (below VALKEY_COMMAND_TIMEOUT_MS).
   */
  SESSION_DURABLE_WRITES_REPLICAS: z.coerce.number().int().min(0).max(16).default(0),
  SESSION_DURABLE_WRITES_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(100),
  /** Secure cookies by default; `false` only for plain-HTTP demos (curl on http://localhost). */
  COOKIE_SECURE: booleanFromEnv.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long in-flight requests may take to finish after SIGTERM before connections are cut. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * How long Node keeps an idle keep-alive connection open. Must stay above nginx's upstream
   * keepalive_timeout (1 s in infra/nginx), so nginx always closes an idle connection first.
   */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(65_000),
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
