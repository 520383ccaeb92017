import type { ClientRequest, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * Sets `X-Forwarded-For/Host/Proto` on a request to an upstream. The edge nginx already set
 * them for the client; they are kept (Host and Proto describe what the client asked for, not
 * this hop) and this hop's peer is appended to `X-Forwarded-For`. Without an edge in front (a
 * test, a developer's curl), the values describe this hop.
 */
export function setForwardedHeaders(proxyReq: ClientRequest, req: IncomingMessage): void {
  const peer = req.socket.remoteAddress;
  const forwardedFor = firstValue(req.headers['x-forwarded-for']);
  const chain = [forwardedFor, peer].filter(Boolean).join(', ');
  if (chain) proxyReq.setHeader('X-Forwarded-For', chain);

  const host = firstValue(req.headers['x-forwarded-host']) ?? req.headers.host;
  if (host) proxyReq.setHeader('X-Forwarded-Host', host);

  const encrypted = (req.socket as Partial<TLSSocket>).encrypted === true;
  const proto = firstValue(req.headers['x-forwarded-proto']) ?? (encrypted ? 'https' : 'http');
  proxyReq.setHeader('X-Forwarded-Proto', proto);
}

/** @private A header Node may hand over as a list; an empty value counts as absent. */
function firstValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first ? first : undefined;
}
