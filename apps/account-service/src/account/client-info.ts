import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { type ExecutionContext, createParamDecorator } from '@nestjs/common';

/** Session attributes login records, so "your sessions" can tell devices apart. */
export const USER_AGENT_ATTRIBUTE = 'userAgent';
export const IP_ATTRIBUTE = 'ip';

/** Longest user agent kept: enough to name a browser, bounded so a client cannot bloat sessions. */
export const MAX_USER_AGENT_LENGTH = 256;

/** The device a request came from, as far as its headers tell. For display, never for security. */
export interface ClientInfo {
  userAgent?: string;
  ip?: string;
}

/**
 * The client's `User-Agent` (control characters dropped, cut to 256 characters) and address: the
 * first `X-Forwarded-For` entry (what the edge nginx saw, passed on by the gateway and the
 * internal nginx), else the peer of this connection. An entry that is not an IP address is
 * dropped. A client can put its own entry in front of `X-Forwarded-For`, so the address is shown
 * to the user, never trusted.
 */
export function clientInfoOf(req: Pick<IncomingMessage, 'headers' | 'socket'>): ClientInfo {
  const info: ClientInfo = {};
  const agent = req.headers['user-agent']
    ?.replace(/[\p{Cc}]/gu, '')
    .trim()
    .slice(0, MAX_USER_AGENT_LENGTH);
  if (agent) info.userAgent = agent;
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  const ip = normalizeIp(first || req.socket.remoteAddress);
  if (ip) info.ip = ip;
  return info;
}

/**
 * Handler parameter with the {@link ClientInfo} of the request.
 *
 * @example
 * login(@Client() client: ClientInfo) { … }
 */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  clientInfoOf(ctx.switchToHttp().getRequest<IncomingMessage>()),
);

/** @private `::ffff:10.0.0.1` → `10.0.0.1`; anything that is not an address → undefined. */
function normalizeIp(value: string | undefined): string | undefined {
  if (!value || value.length > 64) return undefined;
  const ip = value.startsWith('::ffff:') && isIP(value.slice(7)) === 4 ? value.slice(7) : value;
  return isIP(ip) ? ip : undefined;
}
