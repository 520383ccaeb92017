// "Your sessions": the signed-in user's sessions (device, address, last activity), signing out
// one of them, and signing out everywhere else.

import type { SessionList, SessionView } from '@baton/account-service/session-view';
import { h } from './dom.js';

export interface SessionsViewDeps {
  /** The page's API call (retries, hop trail). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  showMessage(text: string): void;
  /** A call answered 401: this session is no longer signed in. */
  onSignedOut(): void;
}

/**
 * Draws the list into `#sessions` and shows `#sessions-section` while signed in. Buttons carry
 * their own listeners (not the page's `data-action` dispatcher); after a change, focus moves to
 * the section's heading, because the button that had it is gone.
 */
export class SessionsView {
  private readonly section: HTMLElement;
  private readonly container: HTMLElement;
  private readonly heading: HTMLElement | null;
  private signedIn = false;
  /** Answers can overtake each other; only the newest list is drawn. */
  private seq = 0;

  constructor(private readonly deps: SessionsViewDeps) {
    this.section = required('sessions-section');
    this.container = required('sessions');
    this.heading = document.getElementById('sessions-title');
  }

  /** Shows and loads the list while signed in; hides it otherwise. */
  setSignedIn(signedIn: boolean): void {
    this.signedIn = signedIn;
    this.section.hidden = !signedIn;
    if (signedIn) void this.refresh();
    else this.container.replaceChildren();
  }

  async refresh(): Promise<void> {
    if (!this.signedIn) return;
    const seq = ++this.seq;
    const answer = await this.deps.api('GET', '/api/account/sessions');
    if (seq !== this.seq || !this.signedIn) return;
    if (answer.status === 401) return this.deps.onSignedOut();
    const sessions = (answer.body as Partial<SessionList> | undefined)?.sessions;
    if (!Array.isArray(sessions)) {
      this.deps.showMessage('Your sessions could not be loaded.');
      return;
    }
    this.render(sessions);
  }

  /** @private */
  private render(sessions: SessionView[]): void {
    const others = sessions.filter((s) => !s.current);
    const rows = sessions.map((s) => {
      const device = deviceName(s.userAgent);
      const lastActive = formatTime(s.lastAccessedAt);
      const action = s.current
        ? h('strong', { class: 'this-device' }, 'This device')
        : this.button('Sign out', `Revoke session from ${device} last active ${lastActive}`, () =>
            this.revoke(s.id),
          );
      return h(
        'tr',
        {},
        h('th', { scope: 'row', title: s.userAgent ?? undefined }, device),
        h('td', {}, s.ip ?? 'unknown'),
        h('td', {}, h('time', { datetime: s.lastAccessedAt }, lastActive)),
        h('td', {}, action),
      );
    });
    const table = h(
      'table',
      { class: 'sessions' },
      h('caption', {}, `${sessions.length} signed-in session${sessions.length === 1 ? '' : 's'}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Device', 'IP address', 'Last active', ''].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h('tbody', {}, ...rows),
    );
    const everywhere = this.button('Sign out everywhere else', undefined, () =>
      this.revokeOthers(),
    );
    everywhere.disabled = others.length === 0;
    const actions = h(
      'div',
      { class: 'cart-actions' },
      everywhere,
      this.button('Refresh sessions', undefined, () => this.refresh(), 'quiet'),
    );
    this.container.replaceChildren(table, actions);
  }

  /** @private */
  private async revoke(id: string): Promise<void> {
    const answer = await this.deps.api('DELETE', `/api/account/sessions/${encodeURIComponent(id)}`);
    if (answer.status === 401) return this.deps.onSignedOut();
    // 404: it ended meanwhile (expired, signed out there): the refreshed list shows that.
    if (answer.status >= 400 && answer.status !== 404) {
      this.deps.showMessage(`Signing out that session failed (${answer.status}).`);
    } else {
      this.deps.showMessage('');
    }
    await this.refresh();
    this.heading?.focus();
  }

  /** @private */
  private async revokeOthers(): Promise<void> {
    const answer = await this.deps.api('POST', '/api/account/sessions/revoke-others');
    if (answer.status === 401) return this.deps.onSignedOut();
    const revoked = (answer.body as { revoked?: unknown } | undefined)?.revoked;
    this.deps.showMessage(
      typeof revoked === 'number'
        ? `Signed out ${revoked} other session${revoked === 1 ? '' : 's'}.`
        : `Signing out the other sessions failed (${answer.status}).`,
    );
    await this.refresh();
    this.heading?.focus();
  }

  /** @private */
  private button(
    text: string,
    name: string | undefined,
    onClick: () => Promise<void>,
    className?: string,
  ): HTMLButtonElement {
    const button = h('button', { type: 'button', class: className, 'aria-label': name }, text);
    button.addEventListener('click', () => {
      onClick().catch((err: unknown) =>
        this.deps.showMessage(err instanceof Error ? err.message : String(err)),
      );
    });
    return button;
  }
}

/** @private */
function required(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element;
}

/** "Chrome on Linux", "Firefox on Windows", "curl"… from a user agent; short, for people. */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = (
    [
      [/Edg\//, 'Edge'],
      [/OPR\//, 'Opera'],
      [/Firefox\//, 'Firefox'],
      [/(Headless)?Chrom(e|ium)\//, 'Chrome'],
      [/Version\/[\d.]+.*Safari\//, 'Safari'],
      [/^curl\//, 'curl'],
      [/^node|undici/i, 'Node.js'],
    ] as const
  ).find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = (
    [
      [/Android/, 'Android'],
      [/iPhone|iPad|iPod/, 'iOS'],
      [/Windows/, 'Windows'],
      [/Mac OS X|Macintosh/, 'macOS'],
      [/CrOS/, 'ChromeOS'],
      [/Linux|X11/, 'Linux'],
    ] as const
  ).find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? userAgent.slice(0, 40);
}

/** @private Time of day for today, date and time otherwise. */
function formatTime(iso: string): string {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString()
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
