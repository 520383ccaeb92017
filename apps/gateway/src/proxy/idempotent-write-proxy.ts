import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import getRawBody from 'raw-body';
import { sendError } from '../http/json-error.js';
import {
  type UpstreamProxyOptions,
  isJson,
  upstreamHooks,
  upstreamProxy,
} from './upstream-proxy.js';

/** The header cart-service makes a write idempotent with (apps/cart-service, `Idempotency-Key`). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Methods that change something upstream; everything else is streamed by the plain proxy. */
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Upstream answers that mean "no replica took this request": nginx lost its upstream, or drains. */
const RETRY_STATUSES = new Set([502, 503]);

/**
 * Written to the client, not the upstream: hop-by-hop headers, and the framing Node sets itself
 * for the body it pipes.
 */
const NOT_RELAYED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

export interface IdempotentWriteProxyOptions extends UpstreamProxyOptions {
  /**
   * The largest write body the gateway holds in memory to send it again. A cart write is a sku and
   * a number; cart-service itself refuses more than 16 kB.
   */
  maxBodyBytes: number;
  /** Pause before the one retry, so a replica that is just being replaced can be skipped. */
  retryDelayMs: number;
}

/** One write on its way upstream: its body, to send it again, and whether it may be retried. */
interface PendingWrite {
  body: Buffer;
  retried: boolean;
}

/**
 * Forwards requests to an upstream whose writes take an `Idempotency-Key` (cart-service), and
 * makes a write survive the loss of the replica it was sent to:
 *
 * - **A key on every write.** A client that sent none gets a random UUID here (a client's own,
 *   valid or not, passes untouched: cart-service judges it). With the key, the upstream applies a
 *   write once however often it arrives, and answers a repeat with the first answer.
 * - **One retry, same key.** When the connection to the upstream fails or is reset before an
 *   answer, or the internal nginx listener answers with its own 502 or 503 page, the write is sent
 *   once more after `retryDelayMs`, with the same key and body. Whether the first attempt ran or
 *   not, the cart changes once. A timeout is not retried (the client has waited long enough),
 *   nor is an answer that has started to reach the client.
 * - **Bodies are buffered** (up to `maxBodyBytes`, else 413 JSON) so they can be sent again;
 *   reads stream through {@link upstreamProxy} as before.
 *
 * Everything else (token transport, X-Served-By, JSON errors) is the plain proxy's.
 */
export function idempotentWriteProxy(options: IdempotentWriteProxyOptions): RequestHandler {
  const reads = upstreamProxy(options);
  const hooks = upstreamHooks(options);
  const pending = new WeakMap<IncomingMessage, PendingWrite>();

  /** Sends `req` again when the attempt that just failed was its first; false when it may not. */
  const retry = (req: Request, res: Response, reason: object): boolean => {
    const write = pending.get(req);
    if (!write || write.retried || res.headersSent || res.destroyed || hooks.timedOut(req)) {
      return false;
    }
    write.retried = true;
    req.log.warn(
      { ...reason, upstream: options.name, idempotencyKey: req.headers[IDEMPOTENCY_KEY_HEADER] },
      'upstream lost a write; sending it again with the same Idempotency-Key',
    );
    void sleep(options.retryDelayMs).then(() => send(req, res));
    return true;
  };

  const writes = createProxyMiddleware<Request, Response>({
    target: options.target,
    changeOrigin: true,
    proxyTimeout: options.timeoutMs,
    // This proxy decides per answer whether the client sees it or the write is sent again.
    selfHandleResponse: true,
    on: {
      proxyReq(proxyReq, req) {
        hooks.prepare(proxyReq, req);
        const write = pending.get(req);
        if (!write) return;
        // The client's body was read once, into `write.body`; every attempt sends that copy.
        proxyReq.removeHeader('transfer-encoding');
        proxyReq.setHeader('content-length', write.body.length);
        proxyReq.write(write.body);
      },
      proxyRes(proxyRes, req, res) {
        const status = proxyRes.statusCode ?? 502;
        // nginx's own page: it had no replica to give the write to, or lost the one it had. A
        // 503 in the platform's JSON is a service's answer (Valkey is away): the same on any
        // replica, so it goes to the client with its Retry-After.
        const lost = RETRY_STATUSES.has(status) && !isJson(proxyRes.headers['content-type']);
        if (lost && retry(req, res, { status })) {
          proxyRes.resume();
          return;
        }
        if (hooks.answerErrorPage(proxyRes, req, res)) return;
        hooks.translate(proxyRes, req, res);
        res.status(status);
        for (const [name, value] of Object.entries(proxyRes.headers)) {
          if (value !== undefined && !NOT_RELAYED.has(name)) res.setHeader(name, value);
        }
        proxyRes.pipe(res);
      },
      error(err, req, res) {
        if (!(res instanceof Socket) && retry(req, res, { err })) return;
        hooks.failed(err, req, res);
      },
    },
  });

  // The library hands a failed attempt to `next(err)` after the error hook has answered it (or
  // sent it again); the hook is the one place that decides.
  const send = (req: Request, res: Response): void => {
    void writes(req, res, () => undefined);
  };

  return async function idempotentWrite(req: Request, res: Response, next: NextFunction) {
    if (!WRITE_METHODS.has(req.method)) return reads(req, res, next);
    req.headers[IDEMPOTENCY_KEY_HEADER] ??= randomUUID();
    let body: Buffer;
    try {
      body = await getRawBody(req, { limit: options.maxBodyBytes });
    } catch (err) {
      return refuseBody(res, err, options.maxBodyBytes);
    }
    pending.set(req, { body, retried: false });
    send(req, res);
  };
}

/** @private A body that could not be read whole: 413 when too large, else 400, as JSON. */
function refuseBody(res: Response, err: unknown, limit: number): void {
  const status = (err as { status?: unknown }).status;
  if (status === 413) {
    sendError(res, 413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes`);
  } else {
    sendError(res, 400, 'BAD_REQUEST', 'The request body could not be read');
  }
}
