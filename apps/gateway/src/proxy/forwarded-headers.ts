import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** The `X-Forwarded-*` headers of a request to an upstream, lower-case like Node's. */
export interface ForwardedHeaders {
  'x-forwarded-for'?: string;
  'x-forwarded-host'?: string;
  'x-forwarded-proto': string;
}

/**
 * `X-Forwarded-For/Host/Proto` for a request to an upstream. The edge nginx already set them
 * for the client; they are kept (Host and Proto describe what the client asked for, not this
 * hop) and this hop's peer is appended to `X-Forwarded-For`. Without an edge in front (a test,
 * a developer's curl), the values describe this hop.
 */
export function forwardedHeaders(req: IncomingMessage): ForwardedHeaders {
  const peer = req.socket.remoteAddress;
  const forwardedFor = firstValue(req.headers['x-forwarded-for']);
  const chain = forwardedFor && peer ? `${forwardedFor}, ${peer}` : (forwardedFor ?? peer);
  const host = firstValue(req.headers['x-forwarded-host']) ?? req.headers.host;
  const encrypted = (req.socket as Partial<TLSSocket>).encrypted === true;
  const proto = firstValue(req.headers['x-forwarded-proto']) ?? (encrypted ? 'https' : 'http');
  const headers: ForwardedHeaders = { 'x-forwarded-proto': proto };
  if (chain) headers['x-forwarded-for'] = chain;
  if (host) headers['x-forwarded-host'] = host;
  return headers;
}

/** @private A header Node may hand over as a list; an empty value counts as absent. */
function firstValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first ? first : undefined;
}
