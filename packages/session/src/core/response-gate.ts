import type { ServerResponse } from 'node:http';
import { toHttpError } from './http-errors.js';
import type { SessionLogger } from './options.js';

/**
 * Holds the first `write`/`end` of a response until `commit` resolves, so no byte of a response
 * leaves before Valkey acknowledged the request's session writes (and the Set-Cookie or
 * X-Auth-Token header can still be added). If the commit fails, the handler's response is
 * replaced by the error's JSON (503 when the store is down, 413 when too large): the client is
 * never told "done" for a write that did not happen.
 *
 * It works on Node's `ServerResponse`, so Express and Nest (on platform-express) share it.
 * A handler that sends headers early (`flushHeaders()`, `writeHead()` for Server-Sent Events)
 * bypasses the hold; if its commit then fails, the connection is cut.
 */
export function holdResponseUntilCommitted(
  res: ServerResponse,
  commit: () => Promise<void>,
  logger: SessionLogger,
): void {
  const write = res.write;
  const end = res.end;
  const held: (() => void)[] = [];
  let committing = false;

  const restore = (): void => {
    res.write = write;
    res.end = end;
  };

  const hold = (release: () => void): void => {
    held.push(release);
    if (committing) return;
    committing = true;
    commit().then(
      () => {
        restore();
        for (const release of held.splice(0)) release();
      },
      (err: unknown) => {
        restore();
        held.length = 0;
        answerWithError(res, err, logger);
      },
    );
  };

  res.write = function heldWrite(...args: unknown[]) {
    hold(() => (write as (...a: unknown[]) => boolean).apply(res, args));
    return true;
  } as ServerResponse['write'];

  res.end = function heldEnd(...args: unknown[]) {
    hold(() => (end as (...a: unknown[]) => ServerResponse).apply(res, args));
    return res;
  } as ServerResponse['end'];
}

/** @private */
function answerWithError(res: ServerResponse, err: unknown, logger: SessionLogger): void {
  if (res.headersSent) {
    // Too late for a status code; cutting the connection is the only honest answer left.
    logger.warn({ err }, 'session commit failed after headers were sent; aborting the response');
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  const mapped = toHttpError(err);
  if (!mapped) logger.warn({ err }, 'session commit failed');
  const body = JSON.stringify(
    mapped?.body ?? { error: { code: 'INTERNAL', message: 'Internal error' } },
  );
  for (const name of ['content-type', 'content-length', 'etag']) res.removeHeader(name);
  res.statusCode = mapped?.status ?? 500;
  for (const [name, value] of Object.entries(mapped?.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
