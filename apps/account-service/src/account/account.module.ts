import { type DynamicModule, Module } from '@nestjs/common';
import type { UserRecord } from '../users/user.js';
import { UsersModule } from '../users/users.module.js';
import { AccountController } from './account.controller.js';
import { AccountService } from './account.service.js';

/**
 * Login, logout and `me`. Needs `SessionModule` (global) in the root module for `@Session()`;
 * brings its own user directory, built from `users`.
 */
@Module({})
export class AccountModule {
  static register(options: { users: readonly UserRecord[] }): DynamicModule {
    return {
      module: AccountModule,
      imports: [UsersModule.register(options.users)],
      controllers: [AccountController],
      providers: [AccountService],
    };
  }
}
