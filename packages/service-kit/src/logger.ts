import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DestinationStream, type Level, type Logger, pino, stdSerializers } from 'pino';

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

/** An `X-Request-Id` the gateway may pass on as it came; anything else gets a fresh UUID. */
const REQUEST_ID = /^[\w-]{1,100}$/;

/** Health probes and scrapes every few seconds would drown the interesting lines. */
const NOT_LOGGED = /^\/(healthz|readyz|metrics)$/;

/** pino's standard request, response and error shapes, as pino-http logged them. */
const HTTP_SERIALIZERS = {
  req: stdSerializers.req,
  res: stdSerializers.res,
  err: stdSerializers.err,
};

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id (`X-Request-Id`), set by {@link requestLogging}. */
    id: string;
    /** A logger bound to this request (its id, method, url, headers redacted). */
    log: Logger;
  }
}

/** What {@link LAZY_CHILD} needs to make a request's child logger, and the child once made. */
interface LazyChild {
  readonly logger: Logger;
  readonly req: IncomingMessage;
  bound?: Logger;
}

/**
 * `req.log` is a Proxy over a {@link LazyChild}: the first use of any of its members makes the
 * child logger, and every use goes to it. A plain property holding the Proxy, rather than a
 * getter defined on each request: `Object.defineProperty` on the request object cost the gateway
 * 25 to 40 µs of CPU per proxied request (`npm run bench:gateway`, the build that defined it
 * against this one, in one run), more than the rest of the logging together; an ordinary
 * property costs next to nothing.
 */
const LAZY_CHILD: ProxyHandler<LazyChild> = {
  get(target, property) {
    const child = childOf(target);
    const value: unknown = Reflect.get(child, property);
    return typeof value === 'function' ? value.bind(child) : value;
  },
  // `req.log.level = 'debug'` changes the child, not the stand-in.
  set: (target, property, value) => Reflect.set(childOf(target), property, value),
};

/** @private */
function childOf(target: LazyChild): Logger {
  return (target.bound ??= target.logger.child(
    { req: target.req },
    { serializers: HTTP_SERIALIZERS },
  ));
}

/**
 * Request logging with a request id that follows the request across hops: taken from
 * `X-Request-Id` (nginx sets one at the edge) or made here, and echoed on the response. One line
 * per request when it ends (`request completed`, `request errored` for a 5xx, `request aborted`
 * for a client that went away first), with the request, the response and the time taken, at
 * `info`; a 5xx at `error`, a 503 at `warn`.
 *
 * `req.log` is a child logger bound to the request, made the first time something logs (see
 * {@link LAZY_CHILD}): making it serializes and redacts the request's headers, which pino-http
 * did for every request even when the level let nothing through, and was the costliest step of a
 * proxied request in the gateway (see BENCHMARKS.md). A line below the logger's level costs a
 * level check.
 */
export function requestLogging(logger: Logger) {
  return function logRequest(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const started = Date.now();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    req.log = new Proxy({ logger, req }, LAZY_CHILD) as unknown as Logger;
    if (!NOT_LOGGED.test(req.url ?? '')) {
      const done = (err?: Error) => {
        res.off('close', done);
        res.off('finish', done);
        res.off('error', done);
        const level = levelOf(res.statusCode, err);
        if (!logger.isLevelEnabled(level)) return;
        const responseTime = Date.now() - started;
        const failed =
          err ??
          (res.statusCode >= 500
            ? new Error(`failed with status code ${res.statusCode}`)
            : undefined);
        const message = failed
          ? 'request errored'
          : res.writableFinished
            ? 'request completed'
            : 'request aborted';
        req.log[level]({ res, responseTime, ...(failed ? { err: failed } : {}) }, message);
      };
      res.on('close', done);
      res.on('finish', done);
      res.on('error', done);
    }
    next();
  };
}

/**
 * @private A 503 is the store being away: expected, answered with Retry-After, and reported once
 * per outage by valkeyClientFrom. At `error` it would repeat that report once per request.
 */
function levelOf(status: number, err: Error | undefined): Level {
  if (status === 503) return 'warn';
  return err || status >= 500 ? 'error' : 'info';
}
