// Tells the shop's other tabs (same browser, same cookie) that this one signed in.

/**
 * A sign-in renames the session (a new token in the shared cookie), which no server event
 * announces: the other tabs' sockets still name the old session and their page still shows the
 * old user. This tab says so on a `BroadcastChannel`, and each other tab reloads what it shows
 * and reconnects. Sign-outs need no message: the session's end closes every tab's socket (4002).
 */
export class TabSync {
  private readonly channel: BroadcastChannel | undefined;

  constructor(onSignedInElsewhere: () => void) {
    this.channel =
      typeof BroadcastChannel === 'function' ? new BroadcastChannel('baton-session') : undefined;
    this.channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
      if ((event.data as { type?: unknown } | null)?.type === 'signed-in') onSignedInElsewhere();
    });
  }

  signedIn(): void {
    this.channel?.postMessage({ type: 'signed-in' });
  }
}
