import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { crossSiteUpgradeReason } from '../csrf/cross-site-guard.js';
import { handshakeProblem } from './handshake-problem.js';
import { refuseUpgrade } from './refuse-upgrade.js';

/**
 * The checks every WebSocket of the gateway (`/ws`, `/ws/fleet`) passes before it is accepted:
 * a well-formed handshake (400), a gateway that is not shutting down (503), the same site (403).
 * Answers the refusal itself; true when it refused.
 */
export function refusedUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  gate: { instanceId: string; draining: boolean; logger: Logger },
): boolean {
  const { instanceId } = gate;
  const problem = handshakeProblem(req);
  if (problem !== undefined) {
    refuseUpgrade(socket, 400, 'BAD_UPGRADE', problem, instanceId);
    return true;
  }
  if (gate.draining) {
    const message = 'This gateway is shutting down; connect again';
    refuseUpgrade(socket, 503, 'DRAINING', message, instanceId);
    return true;
  }
  const crossSite = crossSiteUpgradeReason(req.headers);
  if (crossSite !== undefined) {
    gate.logger.warn({ reason: crossSite }, 'cross-site WebSocket refused');
    const message = `Cross-site WebSocket refused: ${crossSite}`;
    refuseUpgrade(socket, 403, 'CROSS_SITE_REQUEST', message, instanceId);
    return true;
  }
  return false;
}

/**
 * Node's `upgrade` listener around an async handshake. A client that resets during the handshake
 * must not become an unhandled 'error' event, and a handshake that throws must destroy the socket
 * rather than leave a client waiting for an answer that never comes.
 */
export function guardedUpgrade(
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>,
  onError: (err: unknown) => void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    upgrade(req, socket, head).catch((err: unknown) => {
      onError(err);
      socket.destroy();
    });
  };
}
