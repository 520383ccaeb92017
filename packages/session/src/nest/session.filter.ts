import { type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { BatonSessionError, toHttpError } from '../core/index.js';

/**
 * Answers @baton/session errors with `{ error: { code, message } }` and the status of the core's
 * one table (store down → 503 + Retry-After, too large → 413, conflict → 409). `SessionModule`
 * registers it globally (APP_FILTER). A catch-all filter of your own registered after it takes
 * precedence: call `toHttpError(err)` there to keep these answers.
 */
@Catch(BatonSessionError)
export class SessionExceptionFilter extends BaseExceptionFilter {
  override catch(err: BatonSessionError, host: ArgumentsHost): void {
    const mapped = toHttpError(err);
    const res = host.switchToHttp().getResponse<Response>();
    // Codes without a status (corrupt data, invalid options) never should reach a request: let
    // Nest answer them as the 500 they are.
    if (!mapped || res.headersSent) return super.catch(err, host);
    res.status(mapped.status).set(mapped.headers).json(mapped.body);
  }
}
