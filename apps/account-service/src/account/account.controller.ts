import { Body, Controller, Get, Header, HttpCode, Inject, Post } from '@nestjs/common';
import { Session } from '@baton/session/nest';
import { ZodValidationPipe } from '../http/zod-validation.pipe.js';
import { AccountService } from './account.service.js';
import { Client, type ClientInfo } from './client-info.js';
import { type LoginDto, loginBody } from './dto/login.dto.js';

/**
 * `/api/account/*`. The session token comes and goes in `X-Auth-Token` (the gateway's internal
 * hop): login answers the new token in that header, logout answers it empty. Answers name a user
 * and may carry a token, so no cache (the browser's or one in between) may keep them.
 */
@Controller('api/account')
export class AccountController {
  constructor(@Inject(AccountService) private readonly account: AccountService) {}

  @Post('login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  login(
    @Session() session: Session,
    @Body(new ZodValidationPipe(loginBody)) body: LoginDto,
    @Client() client: ClientInfo,
  ) {
    return this.account.login(session, body, client);
  }

  @Post('logout')
  @HttpCode(204)
  @Header('Cache-Control', 'no-store')
  logout(@Session() session: Session): void {
    this.account.logout(session);
  }

  @Get('me')
  @Header('Cache-Control', 'no-store')
  me(@Session() session: Session) {
    return this.account.me(session);
  }
}
