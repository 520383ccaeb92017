import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import getRawBody from 'raw-body';
import { sendError } from '../http/json-error.js';
import { type LostAttempt, type Upstream, hasBody, upstreamProxy } from './upstream-proxy.js';

/** The header cart-service makes a write idempotent with (apps/cart-service, `Idempotency-Key`). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Methods that change something upstream; everything else is streamed by the plain proxy. */
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Upstream answers that mean "no replica took this request": nginx lost its upstream, or drains. */
const RETRY_STATUSES = new Set([502, 503]);

/** What a write without a body sends upstream (with `Content-Length: 0`), every attempt. */
const NO_BODY = Buffer.alloc(0);

export interface IdempotentWriteProxyOptions {
  /** Its name in logs: `cart`. */
  name: string;
  /**
   * The largest write body the gateway holds in memory to send it again. A cart write is a sku and
   * a number; cart-service itself refuses more than 16 kB.
   */
  maxBodyBytes: number;
  /** Pause before the one retry, so a replica that is just being replaced can be skipped. */
  retryDelayMs: number;
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
export function idempotentWriteProxy(
  upstream: Upstream,
  options: IdempotentWriteProxyOptions,
): RequestHandler {
  const reads = upstreamProxy(upstream);

  /** Sends the write with its held `body`, and once more when the first attempt is lost. */
  const send = (req: Request, res: Response, body: Buffer, retried: boolean): void => {
    upstream.forward(req, res, body, (lost: LostAttempt) => {
      // An error page is a lost attempt only when nginx's own 502 or 503 (a JSON 503 never
      // reaches here); the upstream request failing before an answer always is.
      if (retried || res.destroyed || ('status' in lost && !RETRY_STATUSES.has(lost.status))) {
        return false;
      }
      req.log.warn(
        { ...lost, upstream: options.name, idempotencyKey: req.headers[IDEMPOTENCY_KEY_HEADER] },
        'upstream lost a write; sending it again with the same Idempotency-Key',
      );
      void sleep(options.retryDelayMs).then(() => send(req, res, body, true));
      return true;
    });
  };

  return async function idempotentWrite(req: Request, res: Response, next: NextFunction) {
    if (!WRITE_METHODS.has(req.method)) return reads(req, res, next);
    req.headers[IDEMPOTENCY_KEY_HEADER] ??= randomUUID();
    let body: Buffer = NO_BODY;
    // Most cart writes (`POST /cart/pear`) have no body: nothing to read and wait for.
    if (hasBody(req)) {
      try {
        body = await getRawBody(req, { limit: options.maxBodyBytes });
      } catch (err) {
        return refuseBody(res, err, options.maxBodyBytes);
      }
    }
    // The client's body was read once, into `body`; every attempt sends that copy.
    send(req, res, body, false);
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
