import { type DynamicModule, Module } from '@nestjs/common';
import { SessionModule, type SessionModuleOptions } from '@baton/session/nest';
import { AccountModule } from './account/account.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import type { LoginThrottle } from './login-throttle/login-throttle.js';
import type { UserRecord } from './users/user.js';

export interface AppModuleOptions {
  /** Session options with the application's Valkey client (`sessionOptionsFrom`), indexed. */
  session: SessionModuleOptions;
  users: readonly UserRecord[];
  /** Failed-login limits per username and per address, counted in Valkey. */
  loginThrottle: LoginThrottle;
}

/** The root module: shared sessions on Valkey (global), the account and the sessions features. */
@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SessionModule.forRoot(options.session),
        AccountModule.register(options),
        SessionsModule,
      ],
    };
  }
}
