import { runService } from '@baton/service-kit';
import { createApp } from './app.js';
import { gatewayEnvSchema } from './config.js';

await runService(gatewayEnvSchema, (config, deps) => createApp(config, deps));
