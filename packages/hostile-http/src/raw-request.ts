import { connect } from 'node:net';

/** One request as bytes go on the wire: nothing is validated, encoded or added but `Host`. */
export interface RawRequest {
  method: string;
  /** The request target exactly as sent (`/cart/%E0%A4`, `/a b`, …). */
  target: string;
  /**
   * Header lines in order, repeats allowed. Names and values are written as latin1 bytes, so a
   * test can send control characters and 8-bit bytes that `fetch` and `http.request` refuse.
   */
  headers?: readonly (readonly [string, string])[];
  /** Sent with a matching `Content-Length` unless the headers already frame the body. */
  body?: string | Buffer;
}

/** What came back: the status line and headers as Node parses them, the body de-chunked. */
export interface RawAnswer {
  status: number;
  /** Lower-case names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

/** A connection closed without a status line (the process died, or refused to answer at all). */
export class NoAnswerError extends Error {
  constructor(request: RawRequest, cause?: unknown) {
    super(`no HTTP answer to ${request.method} ${request.target.slice(0, 80)}`, { cause });
    this.name = 'NoAnswerError';
  }
}

/**
 * Sends one request over a fresh TCP connection with `Connection: close` (unless the request
 * names its own `Connection`) and reads the answer until the server closes it, or until the
 * headers of a `101 Switching Protocols`. Unlike `fetch`, it sends what it is given, byte for byte, which is
 * the point: the server's own HTTP parser is part of what is under test.
 */
export function rawRequest(
  port: number,
  request: RawRequest,
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
  const headers = request.headers ?? [];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  const framed = headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
  if (body !== undefined && !framed) lines.push(`Content-Length: ${body.length}`);
  // One request per connection; a test that sends its own (`Upgrade`) keeps it.
  if (!headers.some(([name]) => /^connection$/i.test(name))) lines.push('Connection: close');
  lines.push('', '');
  const head = Buffer.from(lines.join('\r\n'), 'latin1');

  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no answer within ${timeoutMs} ms`)),
    );
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A switched protocol (a WebSocket) or a kept-alive connection stays open: stop reading once
      // the status line and headers of a 101, or a whole framed answer, are in.
      const bytes = Buffer.concat(chunks);
      if (parseAnswer(bytes)?.status === 101 || isComplete(bytes)) socket.destroy();
    });
    // A server may answer (413, 431) and close before it read the whole body: EPIPE/ECONNRESET
    // on our side then is normal, and the answer already received is what counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const answer = parseAnswer(Buffer.concat(chunks));
      if (answer) resolve(answer);
      else reject(new NoAnswerError(request));
    });
    socket.write(body === undefined ? head : Buffer.concat([head, body]));
  });
}

/** @private The first HTTP/1.1 response in `bytes`, or undefined when there is none. */
function parseAnswer(bytes: Buffer): RawAnswer | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...headerLines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined)
    body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(status), headers, body: body.toString('utf8') };
}

/** @private Joins the chunks of a chunked body (enough for the answers these servers send). */
function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** @private Whether `bytes` hold a whole answer framed by Content-Length or chunked encoding. */
function isComplete(bytes: Buffer): boolean {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = bytes.subarray(0, end).toString('latin1');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  if (length !== undefined) return bytes.length - end - 4 >= Number(length);
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head))
    return bytes.subarray(-5).toString() === '0\r\n\r\n';
  return false;
}
