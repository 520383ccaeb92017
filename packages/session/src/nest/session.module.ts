import { once } from 'node:events';
import {
  type DynamicModule,
  Global,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Cluster, Redis } from 'ioredis';
import { SessionManager } from '../core/index.js';
import { SESSION_MODULE_OPTIONS } from './session.constants.js';
import { SessionExceptionFilter } from './session.filter.js';
import { SessionMiddleware } from './session.middleware.js';
import type { SessionModuleAsyncOptions, SessionModuleOptions } from './session.options.js';
import { moduleOwnsClient, sessionManagerProvider } from './session.providers.js';

/** What both `forRoot` and `forRootAsync` register besides the options. */
const sharedProviders: Provider[] = [
  sessionManagerProvider,
  SessionMiddleware,
  { provide: APP_FILTER, useClass: SessionExceptionFilter },
];

/**
 * Shared sessions on Valkey for a Nest application on `@nestjs/platform-express`: every route
 * gets its session through `@Session()`, and a response leaves only after Valkey acknowledged
 * that request's session writes. Import it once, in the root module; it is global.
 */
@Global()
@Module({})
export class SessionModule implements NestModule, OnApplicationShutdown {
  constructor(
    @Inject(SESSION_MODULE_OPTIONS) private readonly options: SessionModuleOptions,
    @Inject(SessionManager) private readonly manager: SessionManager,
  ) {}

  /**
   * Registers the session middleware for every route, the error filter, and one exported
   * `SessionManager`. Options are checked at start-up; a bad one fails the bootstrap and names
   * the field.
   *
   * @example
   * @Module({
   *   imports: [
   *     SessionModule.forRoot({
   *       valkey: { url: process.env.VALKEY_URL },  // the module creates the client and quits it
   *       namespace: 'myplatform:sessions',
   *       resolver: 'composite',
   *     }),
   *   ],
   *   controllers: [AccountController],
   * })
   * export class AppModule {}
   */
  static forRoot(options: SessionModuleOptions): DynamicModule {
    return {
      module: SessionModule,
      global: true,
      providers: [{ provide: SESSION_MODULE_OPTIONS, useValue: options }, ...sharedProviders],
      exports: [SessionManager],
    };
  }

  /**
   * Like `forRoot`, with the options from a factory that can inject providers (`ConfigService`).
   *
   * @example
   * SessionModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ valkey: { url: config.get('VALKEY_URL') } }),
   * })
   */
  static forRootAsync(options: SessionModuleAsyncOptions): DynamicModule {
    return {
      module: SessionModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: SESSION_MODULE_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
        ...sharedProviders,
      ],
      exports: [SessionManager],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionMiddleware).forRoutes('*');
  }

  /**
   * Stops indexed mode's background work (sweep, subscriber, event consumer) first, while the
   * client still answers. Then: who creates the client closes it; quit ours, leave the
   * application's alone.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.manager.close();
    if (moduleOwnsClient(this.options)) await quit(this.manager.client);
  }
}

/**
 * @private QUIT lets pending replies arrive, and its reply comes before the socket closes: wait
 * for `end` too, so that `app.close()` resolves with nothing left open. A store that is down
 * cannot answer QUIT; then drop the socket and the reconnect timer.
 */
async function quit(client: Redis | Cluster): Promise<void> {
  const ended = once(client, 'end', { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
  try {
    await client.quit();
    await ended;
  } catch {
    client.disconnect();
  }
}
