import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers an upgrade request with a plain HTTP error instead of switching protocols, in the
 * platform's JSON error shape, and closes the socket. Used before the handshake, when the request
 * must not become a WebSocket at all (wrong path, another site's page, a gateway shutting down).
 */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  code: string,
  message: string,
  servedBy: string,
): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      'Connection: close',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Served-By: ${servedBy}`,
      ...(status === 503 ? ['Retry-After: 1'] : []),
      '',
      body,
    ].join('\r\n'),
  );
}
