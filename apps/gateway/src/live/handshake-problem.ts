import type { IncomingHttpHeaders } from 'node:http';

/** RFC 6455 §4.1: the base64 of 16 random bytes. */
const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * What is wrong with a WebSocket opening handshake, in the client's terms, or undefined when it
 * is one the `ws` library will complete. Checked before the library sees the request, because
 * the library refuses a bad one with a bare text/html 400, not the platform's JSON error.
 */
export function handshakeProblem(req: {
  method?: string | undefined;
  headers: IncomingHttpHeaders;
}): string | undefined {
  if (req.method !== 'GET') return `A WebSocket handshake is a GET, not ${req.method}`;
  const version = req.headers['sec-websocket-version'];
  if (version !== '13') return 'Sec-WebSocket-Version must be 13';
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !WEBSOCKET_KEY.test(key.trim())) {
    return 'Sec-WebSocket-Key must be the base64 of 16 bytes';
  }
  return undefined;
}
