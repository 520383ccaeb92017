import { type DynamicModule, Module } from '@nestjs/common';
import { LOGIN_THROTTLE, type LoginThrottle } from '../login-throttle/login-throttle.js';
import type { UserRecord } from '../users/user.js';
import { UsersModule } from '../users/users.module.js';
import { AccountController } from './account.controller.js';
import { AccountService } from './account.service.js';

/**
 * Login, logout and `me`. Needs `SessionModule` (global) in the root module for `@Session()`;
 * brings its own user directory, built from `users`, and the failed-login throttle it is given.
 */
@Module({})
export class AccountModule {
  static register(options: {
    users: readonly UserRecord[];
    loginThrottle: LoginThrottle;
  }): DynamicModule {
    return {
      module: AccountModule,
      imports: [UsersModule.register(options.users)],
      controllers: [AccountController],
      providers: [AccountService, { provide: LOGIN_THROTTLE, useValue: options.loginThrottle }],
    };
  }
}
