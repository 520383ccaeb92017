import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FinalState, HistoryEntry, Operation } from './history.js';
import type { SeededRandom } from './seeded-random.js';

/** Beyond the edge's 26 s of tries: a request still open then counts as no answer. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A keyed add is sent again, with its key, after a lost answer or a 503: at most this often. */
const KEYED_ATTEMPTS = 4;
const SKUS = ['apple', 'pear', 'banana', 'orange', 'lemon', 'kiwi', 'grapes', 'cherries'] as const;
/**
 * cart-service holds at most 99 of a sku per cart (a 422 beyond). Before any sku could reach that,
 * the client reads its final cart, signs out and signs in again: a new session, an empty cart, a
 * new history (`keyed-1#2`), so a long soak never runs into the limit.
 */
const ROTATE_AT = 90;

/**
 * One client of the soak: its own signed-in session in header mode (`X-Auth-Token`). A keyed
 * client sends an Idempotency-Key with each add and repeats it on a lost answer, as the shop UI
 * does; a keyless one sends each add once (the edge gives it a key). Every operation lands in the
 * shared history.
 */
export class SoakClient {
  #token = '';
  #epoch = 1;
  #user: readonly [string, string] = ['', ''];
  /** sku → adds of this session that may have been applied (acknowledged or not). */
  #possible = new Map<string, number>();
  /** The final states of the sessions this client rotated away from. */
  readonly rotatedFinals: FinalState[] = [];

  constructor(
    readonly name: string,
    private readonly baseUrl: string,
    private readonly keyed: boolean,
    private readonly startedAt: number,
    private readonly history: HistoryEntry[],
  ) {}

  /** Signs in before the faults start; throws when it cannot (the soak then does not begin). */
  async signIn(username: string, password: string): Promise<void> {
    this.#user = [username, password];
    for (let attempt = 0; attempt < 40; attempt++) {
      const { status } = await this.#request('POST', '/api/account/login', { username, password });
      if (status === 200 || status === 201) return;
      await sleep(300);
    }
    throw new Error(`${this.name} could not sign in as ${username}`);
  }

  /** Adds, reads and asks `me` in a seeded mix until `stop()`, at most `maxOps` operations. */
  async run(random: SeededRandom, stop: () => boolean, maxOps: number): Promise<void> {
    for (let i = 0; i < maxOps && !stop(); i++) {
      if (Math.max(0, ...this.#possible.values()) >= ROTATE_AT) await this.#rotate();
      const roll = random.next();
      if (roll < 0.6) await this.add(random.pick(SKUS));
      else if (roll < 0.9) await this.read();
      else await this.me();
      await sleep(30);
    }
  }

  async add(sku: string): Promise<void> {
    const op: Operation = { kind: 'add', sku, keyed: this.keyed };
    const start = this.#now();
    const key = this.keyed ? randomUUID() : undefined;
    let status: number | null = null;
    for (let attempt = 1; attempt <= (this.keyed ? KEYED_ATTEMPTS : 1); attempt++) {
      ({ status } = await this.#request('POST', '/api/cart/items', { sku, qty: 1 }, key));
      if (!(status === null || status === 502 || status === 503 || status === 504)) break;
      if (attempt < KEYED_ATTEMPTS) await sleep(200 * attempt);
    }
    this.#possible.set(sku, (this.#possible.get(sku) ?? 0) + 1);
    this.#record(op, start, status, ok(status) ? 'ok' : 'failed');
  }

  async read(): Promise<boolean> {
    const start = this.#now();
    const { status, json } = await this.#request('GET', '/api/cart');
    const cart = ok(status) ? cartOf(json) : undefined;
    this.#record({ kind: 'read' }, start, status, cart ? 'ok' : 'failed', cart);
    return cart !== undefined;
  }

  async me(): Promise<boolean> {
    const start = this.#now();
    const { status } = await this.#request('GET', '/api/account/me');
    this.#record(
      { kind: 'me' },
      start,
      status,
      status === 401 ? 'signed-out' : ok(status) ? 'ok' : 'failed',
    );
    return ok(status);
  }

  /** The end state, once every fault is healed: reads until one succeeds (20 tries). */
  async final(): Promise<FinalState> {
    let cart: Record<string, number> | null = null;
    for (let i = 0; i < 20 && !cart; i++) {
      const { status, json } = await this.#request('GET', '/api/cart');
      cart = ok(status) ? (cartOf(json) ?? null) : null;
      if (!cart) await sleep(250);
    }
    let signedIn = false;
    for (let i = 0; i < 20; i++) {
      const { status } = await this.#request('GET', '/api/account/me');
      if (status === 401 || ok(status)) {
        signedIn = ok(status);
        break;
      }
      await sleep(250);
    }
    return { client: this.#history(), cart, signedIn };
  }

  /** Ends this session's history with its final state and starts a new session. @private */
  async #rotate(): Promise<void> {
    this.rotatedFinals.push(await this.final());
    await this.#request('POST', '/api/account/logout');
    this.#token = '';
    this.#epoch++;
    this.#possible = new Map();
    await this.signIn(...this.#user);
  }

  /** The history this session's operations go to: `keyed-1#1`, then `keyed-1#2` after a rotation. @private */
  #history(): string {
    return `${this.name}#${this.#epoch}`;
  }

  /** @private */
  #record(
    op: Operation,
    start: number,
    status: number | null,
    outcome: HistoryEntry['outcome'],
    cart?: Record<string, number>,
  ): void {
    this.history.push({
      client: this.#history(),
      op,
      start,
      end: this.#now(),
      outcome,
      status,
      ...(cart ? { cart } : {}),
    });
  }

  /** @private */
  #now(): number {
    return Date.now() - this.startedAt;
  }

  /** @private */
  async #request(
    method: string,
    path: string,
    body?: unknown,
    key?: string,
  ): Promise<{ status: number | null; json: unknown }> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'X-Auth-Token': this.#token,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key) headers['Idempotency-Key'] = key;
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const token = response.headers.get('x-auth-token');
      if (token) this.#token = token;
      return { status: response.status, json: await response.json().catch(() => null) };
    } catch {
      return { status: null, json: null };
    }
  }
}

/** @private */
function ok(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/** @private */
function cartOf(json: unknown): Record<string, number> | undefined {
  const lines = (json as { lines?: { sku: string; qty: number }[] } | null)?.lines;
  if (!Array.isArray(lines)) return undefined;
  return Object.fromEntries(lines.map((line) => [line.sku, line.qty]));
}
