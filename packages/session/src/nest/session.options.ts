import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { SessionOptions, ValkeyClientOptions } from '../core/index.js';

/**
 * `SessionOptions` of the core, where the Valkey client is either yours (`client`) or the
 * module's (`valkey`). Who creates the client closes it: the module quits a client it created
 * when the application shuts down, and never touches one you passed in.
 */
export interface SessionModuleOptions extends Omit<SessionOptions, 'client'> {
  /**
   * Your ioredis `Redis` or `Cluster`. The module uses it and leaves it open on shutdown; quit it
   * yourself (e.g. in your own `onApplicationShutdown`).
   */
  client?: Redis | Cluster;
  /**
   * Connection settings for a client the module creates with `createValkeyClient()` and quits
   * on shutdown. Give `client` or `valkey`, not both.
   * @default {} (redis://127.0.0.1:6379, 500 ms command timeout)
   */
  valkey?: ValkeyClientOptions;
}

/** `SessionModule.forRootAsync()`: options from a factory, e.g. one that reads `ConfigService`. */
export interface SessionModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Providers handed to `useFactory`, in order. */
  inject?: FactoryProvider['inject'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest passes whatever `inject` lists.
  useFactory: (...args: any[]) => SessionModuleOptions | Promise<SessionModuleOptions>;
}
