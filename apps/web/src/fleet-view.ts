// The fleet view: every replica of gateway, account and cart with its state, build, request rate
// and when it was last seen, and this browser's own session key as Valkey holds it. Read-only:
// the page only listens on `/ws/fleet`; it has no way to start, stop or reach any process.

import { h } from './dom.js';
import { ReconnectingSocket } from './reconnecting-socket.js';

/** One replica as the gateway's `/ws/fleet` sends it (service-kit's FleetReplica). */
export interface FleetReplica {
  instance: string;
  service: string;
  state: 'ready' | 'draining' | 'gone';
  version?: string;
  rps?: number;
  seenAt: number;
}

/** The browser's own session key (the gateway's SessionSnapshot): never the token. */
export interface SessionSnapshot {
  key: string;
  ttlMs: number;
  bytes: number;
  fields: { name: string; bytes: number; preview: string }[];
}

const TIERS = ['gateway', 'account', 'cart'] as const;

/**
 * One socket to `/ws/fleet`, reconnected with a capped, jittered backoff (a gateway restarting
 * sends 1001; nginx gives the next socket to a live one). `reconnect()` after this browser got a
 * session or a new token, so the panel shows the key that now belongs to it.
 */
export class FleetView {
  private readonly socket = new ReconnectingSocket({
    path: '/ws/fleet',
    baseDelayMs: 250,
    maxDelayMs: 4_000,
    onMessage: (message) => this.onMessage(message),
    onClose: () => {
      this.status.textContent = 'Fleet: reconnecting…';
      return true;
    },
  });
  /** The last snapshot and when it arrived, for the TTL countdown between snapshots. */
  private session: { snapshot: SessionSnapshot; at: number } | null = null;

  constructor(
    private readonly fleet: HTMLElement,
    private readonly sessionPanel: HTMLElement,
    private readonly status: HTMLElement,
  ) {
    window.setInterval(() => this.countDown(), 250);
  }

  connect(): void {
    this.socket.start();
  }

  reconnect(): void {
    this.socket.restart();
  }

  /** @private */
  private onMessage(message: {
    type?: unknown;
    servedBy?: unknown;
    now?: unknown;
    replicas?: unknown;
    session?: unknown;
  }): void {
    if (message.type === 'hello') {
      this.status.textContent = `Fleet: live from ${String(message.servedBy)}`;
    } else if (message.type === 'fleet' && Array.isArray(message.replicas)) {
      const now = typeof message.now === 'number' ? message.now : Date.now();
      this.drawFleet(message.replicas as FleetReplica[], now);
    } else if (message.type === 'session') {
      const snapshot = message.session as SessionSnapshot | null | undefined;
      this.session = snapshot ? { snapshot, at: Date.now() } : null;
      this.drawSession();
    }
  }

  /** @private */
  private drawFleet(replicas: FleetReplica[], now: number): void {
    const rows = TIERS.flatMap((tier) => replicas.filter((r) => r.service === tier));
    const others = replicas.filter((r) => !(TIERS as readonly string[]).includes(r.service));
    const body = h(
      'tbody',
      {},
      ...[...rows, ...others].map((replica) =>
        h(
          'tr',
          { 'data-replica': replica.instance, 'data-state': replica.state },
          h('th', { scope: 'row' }, replica.instance),
          h('td', {}, h('span', { class: `state state-${replica.state}` }, replica.state)),
          h('td', { class: 'version' }, replica.version ?? '—'),
          h('td', { class: 'num' }, replica.rps === undefined ? '—' : replica.rps.toFixed(1)),
          h(
            'td',
            { class: 'num' },
            `${Math.max(0, (now - replica.seenAt) / 1000).toFixed(1)} s ago`,
          ),
        ),
      ),
    );
    const head = h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Replica', 'State', 'Build', 'Req/s', 'Last seen'].map((title) =>
          h('th', { scope: 'col' }, title),
        ),
      ),
    );
    this.fleet.replaceChildren(
      replicas.length === 0
        ? h('p', { class: 'muted' }, 'No replica has written a heartbeat yet.')
        : h('table', { class: 'fleet' }, head, body),
    );
  }

  /** @private */
  private drawSession(): void {
    if (!this.session) {
      this.sessionPanel.replaceChildren(
        h('p', { class: 'muted' }, 'No session in Valkey yet: add something to your cart.'),
      );
      return;
    }
    const { snapshot } = this.session;
    this.sessionPanel.replaceChildren(
      h('p', {}, 'Key ', h('code', { class: 'session-key' }, snapshot.key)),
      h(
        'p',
        {},
        'TTL ',
        h('strong', { id: 'session-ttl' }, ''),
        ` · ${snapshot.fields.length} fields · `,
        h('strong', { id: 'session-bytes' }, `${snapshot.bytes} bytes`),
      ),
      h(
        'table',
        { class: 'session-fields' },
        h(
          'thead',
          {},
          h('tr', {}, ...['Field', 'Bytes', 'Value'].map((t) => h('th', { scope: 'col' }, t))),
        ),
        h(
          'tbody',
          {},
          ...snapshot.fields.map((field) =>
            h(
              'tr',
              { 'data-field': field.name },
              h('th', { scope: 'row' }, h('code', {}, field.name)),
              h('td', { class: 'num' }, String(field.bytes)),
              h('td', {}, h('code', { class: 'preview' }, field.preview)),
            ),
          ),
        ),
      ),
    );
    this.countDown();
  }

  /** @private The TTL as it runs down between two snapshots. */
  private countDown(): void {
    const ttl = document.getElementById('session-ttl');
    if (!ttl || !this.session) return;
    const left = Math.max(0, this.session.snapshot.ttlMs - (Date.now() - this.session.at));
    const seconds = Math.floor(left / 1000);
    ttl.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    ttl.dataset.ttlMs = String(left);
  }
}
