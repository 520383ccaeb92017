import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DestinationStream, type Logger, pino } from 'pino';
import { pinoHttp } from 'pino-http';

/** Headers that carry session tokens or credentials: never written to a log. */
const REDACTED = [
  'req.headers.cookie',
  'req.headers["x-auth-token"]',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'res.headers["x-auth-token"]',
  '*.password',
  // An ioredis error keeps the command it failed on: AUTH/HELLO carry the Valkey password.
  'err.command.args',
  'err.cause.command.args',
];

/**
 * JSON logs, one line per event, each tagged with the replica that wrote it. `destination`
 * defaults to stdout; tests pass a stream to read what would have been written.
 */
export function createLogger(
  instanceId: string,
  level: string,
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { instance: instanceId },
    redact: { paths: REDACTED, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Request logging with a request id that follows the request across hops: taken from
 * `X-Request-Id` (nginx sets one at the edge) or made here, and echoed on the response.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const incoming = req.headers['x-request-id'];
      const id =
        typeof incoming === 'string' && /^[\w-]{1,100}$/.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Health probes and scrapes every few seconds would drown the interesting lines.
    autoLogging: { ignore: (req) => /^\/(healthz|readyz|metrics)$/.test(req.url ?? '') },
    // A 503 is the store being away: expected, answered with Retry-After, and reported once per
    // outage by valkeyClientFrom. At `error` it would repeat that report once per request.
    customLogLevel: (_req, res, err) =>
      res.statusCode === 503 ? 'warn' : err || res.statusCode >= 500 ? 'error' : 'info',
  });
}
