import { runService } from '@baton/service-kit';
import { createApp } from './app.js';
import { cartEnvSchema } from './config.js';

await runService(cartEnvSchema, (config, deps) => ({ handler: createApp(config, deps) }));
