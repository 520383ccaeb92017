import { Controller, Delete, Get, Header, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { Session } from '@baton/session/nest';
import { SessionIdPipe } from './dto/session-id.dto.js';
import { SessionsService } from './sessions.service.js';

/**
 * `/api/account/sessions*`: the signed-in user's sessions ("your sessions"), revoking one, and
 * "sign out everywhere else". 401 `UNAUTHENTICATED` when not signed in. Answers name the user's
 * devices and addresses, so nothing may cache them.
 */
@Controller('api/account/sessions')
export class SessionsController {
  constructor(@Inject(SessionsService) private readonly sessions: SessionsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  list(@Session() session: Session) {
    return this.sessions.list(session);
  }

  @Delete(':id')
  @HttpCode(204)
  @Header('Cache-Control', 'no-store')
  revoke(@Session() session: Session, @Param('id', new SessionIdPipe()) id: string) {
    return this.sessions.revoke(session, id);
  }

  @Post('revoke-others')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  revokeOthers(@Session() session: Session) {
    return this.sessions.revokeOthers(session);
  }
}
