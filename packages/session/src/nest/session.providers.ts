import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  type SessionLogger,
  SessionManager,
  SessionOptionsInvalidError,
  createValkeyClient,
} from '../core/index.js';
import { SESSION_MODULE_OPTIONS } from './session.constants.js';
import type { SessionModuleOptions } from './session.options.js';

/**
 * The one `SessionManager` of the application, built from the module's options. It is exported,
 * so readiness checks and metrics can inject it and use its `client`.
 */
export const sessionManagerProvider: Provider = {
  provide: SessionManager,
  inject: [SESSION_MODULE_OPTIONS],
  useFactory: createSessionManager,
};

/**
 * Builds the manager, creating the Valkey client when the options name none. Options are checked
 * here, once, at start-up; a client created for options that then fail is disconnected again, so
 * a misconfigured app exits instead of reconnecting forever in the background.
 */
export function createSessionManager(options: SessionModuleOptions): SessionManager {
  const { client, valkey, ...rest } = options;
  if (client !== undefined && valkey !== undefined) {
    throw new SessionOptionsInvalidError('valkey', 'give either client or valkey, not both');
  }
  if (client !== undefined) return new SessionManager({ ...rest, client });
  const created = createValkeyClient(valkey);
  try {
    const manager = new SessionManager({ ...rest, client: created });
    reportOutages(created, manager.options.logger);
    return manager;
  } catch (err) {
    created.disconnect();
    throw err;
  }
}

/**
 * @private A client the module created is the module's to listen to: without an `error` listener
 * ioredis prints every failed reconnect attempt. Logs once per outage instead.
 */
function reportOutages(client: Redis, logger: SessionLogger): void {
  let down = false;
  client.on('error', (err: unknown) => {
    if (!down)
      logger.warn({ err }, 'lost the Valkey connection; sessions answer 503 until it is back');
    down = true;
  });
  client.on('ready', () => {
    down = false;
  });
}

/** True when the module created the client (no `client` in the options), and so must close it. */
export function moduleOwnsClient(options: SessionModuleOptions): boolean {
  return options.client === undefined;
}
