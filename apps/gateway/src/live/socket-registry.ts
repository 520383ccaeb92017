import type { WebSocket } from 'ws';

/**
 * The open sockets of this gateway, by the public id of the session they belong to (one session
 * may have several: tabs of one browser, several API clients sharing a token). Never a token.
 */
export class SocketRegistry {
  private readonly bySession = new Map<string, Set<WebSocket>>();
  private readonly sessionOf = new Map<WebSocket, string>();

  get size(): number {
    return this.sessionOf.size;
  }

  /** Remembers `socket` under `sessionId` until it closes (then it forgets it by itself). */
  add(sessionId: string, socket: WebSocket): void {
    let sockets = this.bySession.get(sessionId);
    if (!sockets) this.bySession.set(sessionId, (sockets = new Set()));
    sockets.add(socket);
    this.sessionOf.set(socket, sessionId);
    socket.once('close', () => this.remove(socket));
  }

  /** The sockets of one session; empty when this gateway holds none. */
  of(sessionId: string): readonly WebSocket[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  /** Every session id with at least one socket here. */
  sessions(): string[] {
    return [...this.bySession.keys()];
  }

  all(): WebSocket[] {
    return [...this.sessionOf.keys()];
  }

  /** @private */
  private remove(socket: WebSocket): void {
    const sessionId = this.sessionOf.get(socket);
    if (sessionId === undefined) return;
    this.sessionOf.delete(socket);
    const sockets = this.bySession.get(sessionId);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.bySession.delete(sessionId);
  }
}
