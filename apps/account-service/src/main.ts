import type { Express } from 'express';
import { runService } from '@baton/service-kit';
import { createApp } from './app.js';
import { accountEnvSchema } from './config.js';

// service-kit's serve() (inside runService) rather than Nest's listen() + enableShutdownHooks():
// every Baton app shuts down the same way on SIGTERM (readiness false, idle keep-alive sockets
// closed, in-flight requests finished); Nest's own shutdown hooks still run, from close().
await runService(accountEnvSchema, async (config, deps) => {
  const app = await createApp(config, deps);
  return {
    handler: app.getHttpAdapter().getInstance() as Express,
    close: () => app.close(),
  };
});
