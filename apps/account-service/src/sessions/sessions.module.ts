import { Module } from '@nestjs/common';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';

/**
 * "Your sessions": list and revoke. Needs `SessionModule` (global) in indexed mode, for the
 * `SessionManager` whose `index` it uses.
 */
@Module({
  controllers: [SessionsController],
  providers: [SessionsService],
})
export class SessionsModule {}
