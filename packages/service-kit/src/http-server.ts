import { type RequestListener, STATUS_CODES, type Server, createServer } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Most bytes of request line and headers a Baton app accepts (Node's default, stated here so it
 * is a decision, not an accident). Generous for a session cookie plus a browser's usual headers;
 * the edge nginx refuses single header lines over 8 KiB before they get here.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The HTTP server every Baton app listens with (service-kit's `serve()`, and the apps' test
 * harnesses, so tests meet the production parser): headers capped at {@link MAX_HEADER_BYTES},
 * and requests Node's parser refuses before any handler runs (oversized headers, a control
 * character in a header, a malformed request line) answered in the platform's JSON error shape
 * instead of Node's bare status line: 431 `HEADERS_TOO_LARGE`, 408 `REQUEST_TIMEOUT`, else 400
 * `MALFORMED_REQUEST` naming the parser's reason.
 */
export function createHttpServer(handler: RequestListener): Server {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler);
  server.on('clientError', answerClientError);
  return server;
}

/** @private Node's `clientError`: the request never reached the app. */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // A response already on its way (the error came later on a keep-alive socket) or a peer that
  // is gone: nothing sensible can be written.
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] = describe(err.code);
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** @private */
function describe(code: string | undefined): [number, string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [
        431,
        'HEADERS_TOO_LARGE',
        `The request line and headers are larger than ${MAX_HEADER_BYTES / 1024} KiB (too many or too large cookies?)`,
      ];
    case 'HPE_REQUEST_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'REQUEST_TIMEOUT', 'The request headers did not arrive in time'];
    default:
      return [400, 'MALFORMED_REQUEST', `The request is not valid HTTP/1.1 (${code ?? 'unknown'})`];
  }
}
