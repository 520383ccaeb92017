import { type DynamicModule, Module } from '@nestjs/common';
import { USER_RECORDS, type UserRecord } from './user.js';
import { UsersService } from './users.service.js';

/** The user directory, built from the list it is given (the demo users or `DEMO_USERS`). */
@Module({})
export class UsersModule {
  static register(records: readonly UserRecord[]): DynamicModule {
    return {
      module: UsersModule,
      providers: [{ provide: USER_RECORDS, useValue: records }, UsersService],
      exports: [UsersService],
    };
  }
}
