import { waitUntilReady } from '@baton/session';
import {
  ConfigError,
  Readiness,
  createLogger,
  loadConfig,
  serve,
  valkeyClientFrom,
} from '@baton/service-kit';
import { createApp } from './app.js';
import { cartEnvSchema } from './config.js';

/** Reads the environment, connects to Valkey, and serves the app until SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig(cartEnvSchema);
  const logger = createLogger(config.INSTANCE_ID, config.LOG_LEVEL);
  const valkey = valkeyClientFrom(config, logger);
  // Not fatal: /readyz reports 503 until Valkey answers, and sessionless routes work meanwhile.
  await waitUntilReady(valkey).catch((err: unknown) =>
    logger.warn({ err }, 'Valkey is not reachable yet; starting anyway'),
  );
  const readiness = new Readiness(valkey);
  await serve(createApp(config, { valkey, logger, readiness }), {
    host: config.HOST,
    port: config.PORT,
    logger,
    readiness,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onClosed: async () => {
      await valkey.quit().catch(() => valkey.disconnect());
    },
  });
}

main().catch((err: unknown) => {
  // Before the logger exists (bad env) a plain line naming the variable is the useful output.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
