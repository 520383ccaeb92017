import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { StoreBreaker } from '@baton/service-kit';
import { toHttpError } from '@baton/session';
import { ApiException } from './api.exception.js';
import { BODY_LIMIT } from './json-body.js';

interface ErrorAnswer {
  status: number;
  headers?: Record<string, string>;
  code: string;
  message: string;
}

/** Codes of the 4xx answers Nest and Express produce themselves (unknown route, bad body…). */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** The `type` body-parser puts on its errors, and the code a client sees for each. */
const BODY_ERROR_CODES: Record<string, string> = {
  'entity.parse.failed': 'MALFORMED_JSON',
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Every error answer of the service in the platform's shape, `{ error: { code, message } }`,
 * instead of Nest's `{ statusCode, message, error }`: our own `ApiException`s, Nest's and
 * body-parser's 4xx (unknown route, malformed JSON, body too large), and @baton/session's errors
 * (store down → 503 + Retry-After), which this filter answers through the session package's own
 * table because, registered after `SessionModule`'s filter, it takes precedence over it.
 * Anything else is a bug: logged with its stack, answered 500 without details.
 *
 * Nest hands this filter errors from everywhere in the request: middleware (the session's load),
 * Express middleware before Nest (body parsing, the store breaker's gate), guards, pipes, handlers
 * (the login throttle's store errors), and its own 404. That is why it is where the store
 * breaker sees every store failure (`breaker.observe`), as cart-service's error middleware does.
 */
@Catch()
export class JsonExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly breaker: StoreBreaker,
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    this.breaker.observe(err);
    const req = host.switchToHttp().getRequest<Request & { log?: Logger }>();
    const res = host.switchToHttp().getResponse<Response>();
    const answer = describe(err, req);
    // 503 (store down) is expected and logged by the session layer; a 500 is a bug.
    if (answer.status === 500) {
      (req.log ?? this.logger).error({ err }, 'unhandled error');
    }
    if (res.headersSent) {
      // Too late for a status code; cutting the connection is the only honest answer left.
      res.destroy();
      return;
    }
    res
      .status(answer.status)
      .set(answer.headers ?? {})
      .json({ error: { code: answer.code, message: answer.message } });
  }
}

/** @private */
function describe(err: unknown, req: Request): ErrorAnswer {
  const session = toHttpError(err);
  if (session) return { status: session.status, headers: session.headers, ...session.body.error };
  if (err instanceof ApiException) {
    return { status: err.getStatus(), headers: err.headers, code: err.code, message: err.message };
  }
  if (err instanceof HttpException && err.getStatus() < 500) {
    const status = err.getStatus();
    const type = (err.cause as { type?: unknown } | undefined)?.type;
    const bodyCode = typeof type === 'string' ? BODY_ERROR_CODES[type] : undefined;
    const code = bodyCode ?? CODE_BY_STATUS[status] ?? 'BAD_REQUEST';
    return { status, code, message: messageFor(code, err.message, req) };
  }
  return { status: 500, code: 'INTERNAL', message: 'Internal error' };
}

/** @private Nest's and body-parser's own texts name internals ("Unexpected token } in JSON at …"). */
function messageFor(code: string, detail: string, req: Request): string {
  switch (code) {
    case 'NOT_FOUND':
      return `No route for ${req.method} ${req.path}`;
    case 'MALFORMED_JSON':
      return `The request body is not valid JSON: ${detail}`;
    case 'PAYLOAD_TOO_LARGE':
      return `The request body is larger than the limit of this service (${BODY_LIMIT})`;
    default:
      return detail;
  }
}
