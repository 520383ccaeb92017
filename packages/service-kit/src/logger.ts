import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, pino } from 'pino';
import { pinoHttp } from 'pino-http';

/** Headers that carry session tokens or credentials: never written to a log. */
const REDACTED = [
  'req.headers.cookie',
  'req.headers["x-auth-token"]',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'res.headers["x-auth-token"]',
  '*.password',
];

/** JSON logs, one line per event, each tagged with the replica that wrote it. */
export function createLogger(instanceId: string, level: string): Logger {
  return pino({
    level,
    base: { instance: instanceId },
    redact: { paths: REDACTED, censor: '[redacted]' },
  });
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
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
  });
}
