import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Request, RequestHandler, Response } from 'express';
import { type Dispatcher, Pool } from 'undici';
import { sendError } from '../http/json-error.js';
import { forwardedHeaders } from './forwarded-headers.js';
import type { SessionTokenTransport } from './session-token-transport.js';

export interface UpstreamProxyOptions {
  /** The upstream's name in error messages and logs: `cart`, `account`. */
  name: string;
  /** Base URL of the upstream (an nginx internal listener); the request path is appended. */
  target: string;
  /** This gateway's `INSTANCE_ID`, the first entry of `X-Served-By`. */
  instanceId: string;
  /** This gateway's `BUILD_VERSION`, the first entry of `X-Build-Version`. */
  version: string;
  /**
   * How long the upstream may take to start answering, and at most between two pieces of its
   * body, before the client gets a 504 (or, once the answer has begun, a cut connection).
   */
  timeoutMs: number;
  transport: SessionTokenTransport;
  /** Set only when tracing is on: writes the request's `traceparent` onto the upstream headers. */
  injectTrace?:
    ((headers: { setHeader(name: string, value: string): unknown }) => void) | undefined;
}

/** The error code for an upstream that sent an error page instead of the platform's JSON. */
const CODE_FOR_STATUS: Record<number, string> = {
  413: 'PAYLOAD_TOO_LARGE',
  502: 'UPSTREAM_UNAVAILABLE',
  503: 'UPSTREAM_UNAVAILABLE',
  504: 'UPSTREAM_UNAVAILABLE',
};

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) and what undici frames itself: never copied from one hop
 * to the next, in either direction. `host` is the upstream's own (the client's travels in
 * X-Forwarded-Host); `expect` was answered by this server already.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'expect',
]);

/** How an attempt was lost before any of its answer reached the client. */
export type LostAttempt = { status: number } | { err: Error };

/**
 * Given an attempt that was lost before any answer reached the client; true when it took the
 * request over (sends it again), false to let the proxy answer the client.
 */
export type RetryDecision = (lost: LostAttempt) => boolean;

/**
 * One upstream service behind one keep-alive connection pool (undici's `Pool`): sends a request
 * there and relays the answer, translating what crosses the edge.
 */
export interface Upstream {
  /**
   * Sends `req` upstream with `body` (a held copy, the client's own stream, or none) and writes
   * the answer to `res`. `retry` is asked when the attempt is lost before its answer began.
   */
  forward(req: Request, res: Response, body: Buffer | Readable | null, retry?: RetryDecision): void;
  /** Closes the pool's connections (the app's `close()`). */
  close(): Promise<void>;
}

/**
 * Forwards requests to one upstream service and translates what crosses the edge: the session
 * token (cookie ↔ `X-Auth-Token`, see {@link SessionTokenTransport}), `X-Request-Id`,
 * `X-Forwarded-*`, `X-Served-By` (`gateway-1, cart-2`) and `X-Build-Version` (`v1, v2`).
 * Whatever goes wrong upstream reaches the client as the platform's JSON error, never as nginx's
 * HTML page or a hanging request: a refused or reset connection is a 502, no answer within
 * `timeoutMs` a 504, and an answer cut after it began is a cut connection to the client.
 *
 * The HTTP client is undici (a `Pool` of keep-alive connections per upstream, driven through
 * its `dispatch` handler API): the answer's bytes go from undici's parser straight to `res`,
 * with backpressure, without Node's `http.request` or a stream in between. Request bodies
 * stream through.
 *
 * @example
 * const cart = createUpstream({ name: 'cart', target: 'http://127.0.0.1:8081',
 *   instanceId: 'gateway-1', version: 'v1', timeoutMs: 10_000, transport });
 * app.all('/api/cart{/*rest}', upstreamProxy(cart));
 */
export function upstreamProxy(upstream: Upstream): RequestHandler {
  return function proxyToUpstream(req, res) {
    upstream.forward(req, res, hasBody(req) ? req : null);
  };
}

/** The pool and the translations of one upstream; see {@link Upstream}. */
export function createUpstream(options: UpstreamProxyOptions): Upstream {
  const { name, instanceId, version, transport } = options;
  const target = new URL(options.target);
  // A target with a path (`http://nginx:8081/base`) prefixes every forwarded path.
  const prefix = target.pathname === '/' ? '' : target.pathname.replace(/\/$/, '');
  const pool = new Pool(target.origin, {
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });

  const requestHeaders = (req: Request, body: Buffer | Readable | null): IncomingHttpHeaders => {
    const headers: IncomingHttpHeaders = {};
    // Headers the client's Connection names are this hop's too.
    const named = req.headers.connection ? connectionNames(req.headers.connection) : undefined;
    for (const key in req.headers) {
      if (HOP_BY_HOP.has(key) || named?.has(key)) continue;
      headers[key] = req.headers[key];
    }
    Object.assign(headers, forwardedHeaders(req));
    headers['x-request-id'] = String(req.id);
    const token = transport.tokenOf(req);
    if (token === undefined) delete headers['x-auth-token'];
    else headers['x-auth-token'] = token;
    const cookies = transport.cookiesWithoutSession(req.headers.cookie);
    if (cookies === undefined) delete headers.cookie;
    else headers.cookie = cookies;
    if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
    options.injectTrace?.({
      setHeader: (header, value) => (headers[header.toLowerCase()] = value),
    });
    return headers;
  };

  /** Rewrites the upstream's response headers for the client (X-Served-By, token, …). */
  const translate = (req: Request, headers: IncomingHttpHeaders): void => {
    const servedBy = headers['x-served-by'];
    headers['x-served-by'] = servedBy ? `${instanceId}, ${servedBy}` : instanceId;
    const built = headers['x-build-version'];
    headers['x-build-version'] = built ? `${version}, ${built}` : version;
    transport.translateResponse(transport.transportOf(req), headers);
  };

  const failed = (req: Request, res: Response, err: Error): void => {
    if (res.headersSent || res.destroyed) {
      // Part of the upstream's answer is already on the wire; cut it rather than lie.
      res.destroy();
      return;
    }
    if (isInvalidRequest(err)) {
      // undici refuses to send what is not valid HTTP (a header value, a path): the client's
      // request is at fault, not the upstream.
      req.log.warn({ err, upstream: name }, 'request could not be forwarded');
      sendError(res, 400, 'BAD_REQUEST', `The request cannot be forwarded: ${err.message}`);
      return;
    }
    const status = isTimeout(err) ? 504 : 502;
    req.log.warn({ err, upstream: name, status }, 'upstream request failed');
    sendUpstreamError(res, status, 'UPSTREAM_UNAVAILABLE', name);
  };

  const forward: Upstream['forward'] = (req, res, body, retry) => {
    let headers: IncomingHttpHeaders;
    try {
      headers = requestHeaders(req, body);
    } catch (err) {
      failed(req, res, err as Error);
      return;
    }
    const handler = new RelayHandler(res, {
      started(status, upstreamHeaders) {
        // nginx's own page: it had no replica to give the request to, or lost the one it had. A
        // 503 in the platform's JSON is a service's answer (Valkey is away): the same on any
        // replica, so it goes to the client with its Retry-After.
        const page = status >= 400 && !isJson(first(upstreamHeaders['content-type']));
        if (page && retry?.({ status })) return false;
        if (page) {
          req.log.warn({ upstream: name, status }, 'upstream answered an error page');
          sendUpstreamError(res, status, CODE_FOR_STATUS[status] ?? 'UPSTREAM_ERROR', name);
          return false;
        }
        translate(req, upstreamHeaders);
        res.statusCode = status;
        for (const key in upstreamHeaders) {
          const value = upstreamHeaders[key];
          // Connection and Keep-Alive describe the gateway↔upstream hop, not ours with the
          // client; while draining, the gateway's own `Connection: close` stays.
          if (value !== undefined && !HOP_BY_HOP.has(key)) res.setHeader(key, value);
        }
        return true;
      },
      lost(err) {
        // A timeout is not retried: the client has waited long enough.
        if (!res.headersSent && !isTimeout(err) && retry?.({ err })) return;
        failed(req, res, err);
      },
    });
    pool.dispatch(
      {
        path: prefix + req.originalUrl,
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body,
      },
      handler,
    );
  };

  let closed: Promise<void> | undefined;
  // The app may be closed more than once (a test's own close after a drain); the pool may not.
  return { forward, close: () => (closed ??= pool.close()) };
}

/** What {@link RelayHandler} asks of the proxy at the two points where it decides. */
interface RelayDecisions {
  /** The answer's head arrived; true to relay its body to the client, false to drop it. */
  started(status: number, headers: IncomingHttpHeaders): boolean;
  /** The attempt failed: before, or (when `res.headersSent`) while, relaying the answer. */
  lost(err: Error): void;
}

/**
 * @private undici's dispatch handler for one attempt: writes the answer's body to `res` as it
 * arrives, pausing the upstream while `res` is full, and aborts the upstream request when the
 * client goes away first.
 */
class RelayHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private started = false;
  private relaying = false;
  private ended = false;

  constructor(
    private readonly res: Response,
    private readonly decide: RelayDecisions,
  ) {
    res.once('close', this.onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.res.destroyed) controller.abort(new Error('the client went away'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // 1xx interim answers stay on this hop.
    if (statusCode < 200) return;
    this.started = true;
    this.relaying = this.decide.started(statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.relaying && !this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.ended = true;
    this.res.off('close', this.onClientClose);
    if (this.relaying) this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.ended = true;
    this.res.off('close', this.onClientClose);
    // An answer already replaced (an error page answered as JSON, a retry) is no longer ours.
    if (!this.started || this.relaying) this.decide.lost(err);
  }

  private readonly onClientClose = (): void => {
    if (!this.ended) this.controller?.abort(new Error('the client went away'));
  };
}

/** Whether the client sent a body (a length above 0, or chunks). */
export function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** @private The header names a `Connection` value lists (`close`, `keep-alive`, `x-foo`). */
function connectionNames(value: string): Set<string> {
  return new Set(value.split(',').map((token) => token.trim().toLowerCase()));
}

/** @private The first value of a header that may be a list. */
function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** @private undici gave up waiting for the upstream's head or the next piece of its body. */
function isTimeout(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

/** @private undici refused the request itself as invalid HTTP. */
function isInvalidRequest(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED';
}

/** @private The JSON error for an unusable upstream; the client may retry a second later. */
function sendUpstreamError(res: Response, status: number, code: string, name: string): void {
  if (status === 502 || status === 503 || status === 504) res.setHeader('Retry-After', '1');
  const what =
    status === 504
      ? `The ${name} service did not answer in time`
      : code === 'UPSTREAM_UNAVAILABLE'
        ? `The ${name} service is unavailable`
        : `The ${name} service answered ${status}`;
  sendError(res, status, code, what);
}

/** Whether a Content-Type is JSON (`application/json`, `application/problem+json`, …). */
export function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/([\w.-]+\+)?json\b/i.test(contentType);
}
