import type { ErrorRequestHandler, RequestHandler, Response } from 'express';

/** Writes the platform's error body, `{ "error": { "code", "message" } }`, with `status`. */
export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** The last route: anything the gateway neither serves nor forwards. */
export function notFound(): RequestHandler {
  return function notFoundHandler(req, res) {
    sendError(res, 404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`);
  };
}

/**
 * Turns whatever reached Express's error chain into JSON. Errors that carry a 4xx status (a
 * malformed URL, say) keep it; anything else is a 500 that is logged, never echoed to the client.
 */
export function errorHandler(): ErrorRequestHandler {
  return function gatewayErrorHandler(err: unknown, req, res, _next) {
    const status = statusOf(err);
    if (status >= 500) req.log?.error({ err }, 'unhandled error');
    if (res.headersSent) {
      // The body is half written; the only honest signal left is to cut the connection.
      res.destroy();
      return;
    }
    if (status < 500 && err instanceof Error) sendError(res, status, 'BAD_REQUEST', err.message);
    else sendError(res, 500, 'INTERNAL_ERROR', 'The gateway failed to handle this request');
  };
}

/** @private The 4xx status an http-errors style error carries, else 500. */
function statusOf(err: unknown): number {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}
