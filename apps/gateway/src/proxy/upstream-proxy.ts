import type { ClientRequest, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { sendError } from '../http/json-error.js';
import { setForwardedHeaders } from './forwarded-headers.js';
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
  /** How long the upstream may take to start answering before the client gets a 504. */
  timeoutMs: number;
  transport: SessionTokenTransport;
  /** Set only when tracing is on: writes the request's `traceparent` onto the upstream request. */
  injectTrace?: ((proxyReq: ClientRequest) => void) | undefined;
}

/** The error code for an upstream that sent an error page instead of the platform's JSON. */
const CODE_FOR_STATUS: Record<number, string> = {
  413: 'PAYLOAD_TOO_LARGE',
  502: 'UPSTREAM_UNAVAILABLE',
  503: 'UPSTREAM_UNAVAILABLE',
  504: 'UPSTREAM_UNAVAILABLE',
};

/**
 * Forwards a request to one upstream service and translates what crosses the edge: the session
 * token (cookie ↔ `X-Auth-Token`, see {@link SessionTokenTransport}), `X-Request-Id`,
 * `X-Forwarded-*`, `X-Served-By` (`gateway-1, cart-2`) and `X-Build-Version` (`v1, v2`). Whatever goes wrong upstream reaches
 * the client as the platform's JSON error, never as nginx's HTML page or a hanging request: a
 * refused or reset connection is a 502, no answer within `timeoutMs` a 504.
 *
 * @example
 * app.all('/api/cart{/*rest}', upstreamProxy({ name: 'cart', target: 'http://127.0.0.1:8081',
 *   instanceId: 'gateway-1', version: 'v1', timeoutMs: 10_000, transport }));
 */
export function upstreamProxy(options: UpstreamProxyOptions): RequestHandler {
  const hooks = upstreamHooks(options);
  return createProxyMiddleware<Request, Response>({
    target: options.target,
    // The upstream sees its own host in `Host`; the client's host travels in X-Forwarded-Host.
    changeOrigin: true,
    proxyTimeout: options.timeoutMs,
    on: {
      proxyReq: (proxyReq, req) => hooks.prepare(proxyReq, req),
      proxyRes(proxyRes, req, res) {
        if (hooks.answerErrorPage(proxyRes, req, res)) return;
        hooks.translate(proxyRes, req, res);
      },
      error: (err, req, res) => hooks.failed(err, req, res),
    },
  });
}

/**
 * What every proxy to a Baton upstream does around the library, shared by {@link upstreamProxy}
 * and the retrying proxy of cart writes.
 */
export interface UpstreamHooks {
  /** Sets the headers of the upstream request (token, cookies, X-Forwarded-*, X-Request-Id). */
  prepare(proxyReq: ClientRequest, req: Request): void;
  /**
   * An upstream error that is not the platform's JSON (nginx's HTML page) becomes a JSON error;
   * true when it did so (the upstream's body is drained, the response ended).
   */
  answerErrorPage(proxyRes: IncomingMessage, req: Request, res: Response): boolean;
  /** Rewrites the upstream's response headers in place for the client (X-Served-By, token, …). */
  translate(proxyRes: IncomingMessage, req: Request, res: Response): void;
  /** Whether this request's upstream call ended because of `timeoutMs` (a 504, not a 502). */
  timedOut(req: IncomingMessage): boolean;
  /** A connection that failed, was reset or timed out: 502 / 504 JSON, or a cut connection. */
  failed(err: Error, req: Request, res: Response | Socket): void;
}

/** The hooks of one upstream; see {@link UpstreamHooks}. */
export function upstreamHooks(options: UpstreamProxyOptions): UpstreamHooks {
  const { name, instanceId, version, transport } = options;
  // Requests whose upstream call hit the timeout, so the error handler can tell 504 from 502.
  const timedOut = new WeakSet<IncomingMessage>();
  return {
    prepare(proxyReq, req) {
      proxyReq.once('timeout', () => timedOut.add(req));
      setForwardedHeaders(proxyReq, req);
      proxyReq.setHeader('X-Request-Id', String(req.id));
      const token = transport.tokenOf(req);
      if (token === undefined) proxyReq.removeHeader('X-Auth-Token');
      else proxyReq.setHeader('X-Auth-Token', token);
      const cookies = transport.cookiesWithoutSession(req.headers.cookie);
      if (cookies === undefined) proxyReq.removeHeader('Cookie');
      else proxyReq.setHeader('Cookie', cookies);
      options.injectTrace?.(proxyReq);
    },

    answerErrorPage(proxyRes, req, res) {
      const status = proxyRes.statusCode ?? 502;
      if (status < 400 || isJson(proxyRes.headers['content-type'])) return false;
      // nginx's (or anyone's) HTML error page: drain it and answer with JSON instead.
      // Ending the response here makes the library skip copying and piping the upstream's.
      proxyRes.resume();
      req.log.warn({ upstream: name, status }, 'upstream answered an error page');
      sendUpstreamError(res, status, CODE_FOR_STATUS[status] ?? 'UPSTREAM_ERROR', name);
      return true;
    },

    translate(proxyRes, req, res) {
      // Connection and Keep-Alive describe the gateway↔upstream hop, not ours with the client;
      // and while draining, the gateway's own `Connection: close` must win.
      delete proxyRes.headers['keep-alive'];
      const ours = res.getHeader('connection');
      if (ours === undefined) delete proxyRes.headers.connection;
      else proxyRes.headers.connection = String(ours);
      const servedBy = proxyRes.headers['x-served-by'];
      proxyRes.headers['x-served-by'] = servedBy ? `${instanceId}, ${servedBy}` : instanceId;
      const built = proxyRes.headers['x-build-version'];
      proxyRes.headers['x-build-version'] = built ? `${version}, ${built}` : version;
      transport.translateResponse(transport.transportOf(req), proxyRes.headers);
    },

    timedOut: (req) => timedOut.has(req),

    failed(err, req, res) {
      if (res instanceof Socket) {
        res.destroy();
        return;
      }
      const status = timedOut.has(req) ? 504 : 502;
      req.log.warn({ err, upstream: name, status }, 'upstream request failed');
      if (res.headersSent) {
        // Part of the upstream's answer is already on the wire; cut it rather than lie.
        res.destroy();
        return;
      }
      sendUpstreamError(res, status, 'UPSTREAM_UNAVAILABLE', name);
    },
  };
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
