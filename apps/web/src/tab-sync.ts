// Tells the shop's other tabs (same browser, same cookie) that this one signed in or started a session.

/**
 * A sign-in renames the session (a new token in the shared cookie), which no server event
 * announces: the other tabs' sockets still name the old session and their page still shows the
 * old user. This tab says so on a `BroadcastChannel`, and each other tab reloads what it shows
 * and reconnects. Likewise the first change of an anonymous browser creates its session: tabs
 * opened before that have no socket (4401) until told. Sign-outs need no message: the session's
 * end closes every tab's socket (4002).
 */
export class TabSync {
  private readonly channel: BroadcastChannel | undefined;

  constructor(onSignedInElsewhere: () => void, onSessionStartedElsewhere: () => void) {
    this.channel =
      typeof BroadcastChannel === 'function' ? new BroadcastChannel('baton-session') : undefined;
    this.channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
      const type = (event.data as { type?: unknown } | null)?.type;
      if (type === 'signed-in') onSignedInElsewhere();
      if (type === 'session-started') onSessionStartedElsewhere();
    });
  }

  signedIn(): void {
    this.channel?.postMessage({ type: 'signed-in' });
  }

  sessionStarted(): void {
    this.channel?.postMessage({ type: 'session-started' });
  }
}
