import type { IncomingHttpHeaders, OutgoingHttpHeader } from 'node:http';

/** The part of an HTTP request a resolver reads: Node's, Express's and Nest's requests all fit. */
export interface RequestHeaders {
  headers: IncomingHttpHeaders;
}

/** The part of an HTTP response a resolver writes: Node's `ServerResponse` fits. */
export interface ResponseHeaders {
  getHeader(name: string): OutgoingHttpHeader | undefined;
  setHeader(name: string, value: OutgoingHttpHeader): unknown;
}

/**
 * Carries the session token between client and server (Spring Session's `HttpSessionIdResolver`).
 * A resolver only moves strings; validating the token is the session manager's job.
 */
export interface SessionIdResolver {
  /** The token the client sent, or undefined when it sent none. */
  resolve(req: RequestHeaders): string | undefined;
  /** Gives the client a new or renamed token. Called only when the token changed. */
  set(res: ResponseHeaders, token: string): void;
  /** Tells the client to forget its token (after `invalidate()`). */
  expire(res: ResponseHeaders): void;
}

/** Adds a `Set-Cookie` without dropping the ones the handler or another middleware already set. */
export function appendSetCookie(res: ResponseHeaders, value: string): void {
  const existing = res.getHeader('Set-Cookie');
  const list =
    existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('Set-Cookie', [...list, value]);
}
