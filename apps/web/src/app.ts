// The Baton shop UI: plain DOM, no framework. Every request's `X-Served-By` goes to the hop
// trail, so a person can watch nginx bounce them between gateways and service replicas.

import { priceLines } from './cart-pricing.js';
import { h } from './dom.js';
import { FleetView } from './fleet-view.js';
import { LiveUpdates, type PushedCart } from './live-updates.js';
import { SessionsView } from './sessions-view.js';
import { TabSync } from './tab-sync.js';

interface Product {
  sku: string;
  name: string;
  /** Integer cents. */
  price: number;
}
interface CartView {
  currency: string;
  lines: { sku: string; name: string; qty: number; price: number; lineTotal: number }[];
  total: number;
  count: number;
}
interface User {
  username: string;
  displayName?: string;
}
interface ApiAnswer {
  status: number;
  body: unknown;
}

/** Statuses that mean "the platform is briefly away" (a replica restarting, Valkey down). */
const UNAVAILABLE = new Set([502, 503, 504]);
/** Methods safe to send again when an attempt may or may not have reached the service. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);
/**
 * Attempts of a request whose answer was lost (network error, 502, 504) before the UI gives up
 * and says so: about 8 s of backoff. A 503 is the platform saying "nothing happened, try again"
 * (Valkey away), and is retried until it passes, behind the banner.
 */
const MAX_LOST_ATTEMPTS = 6;
const KNOWN_REPLICAS = /^(gateway|cart|account)-[12]$/;
const MAX_HOPS = 40;

const state = {
  products: [] as Product[],
  currency: 'EUR',
  cart: undefined as CartView | undefined,
  user: undefined as User | undefined,
  /** Answers can overtake each other; only a newer cart than the one shown is drawn. */
  cartSeq: 0,
  shownCartSeq: 0,
  retrying: 0,
  hopCount: 0,
};

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element;
}

function money(cents: number): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: state.currency }).format(
    cents / 100,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- talking to the gateway ---------------------------------------------------------------

/**
 * One API call, for one user action. While the platform answers 502/503/504 (or the network
 * fails) it shows the "retrying" banner and tries again with a capped, jittered backoff: a 503
 * until an answer comes, a lost answer {@link MAX_LOST_ATTEMPTS} times. A cart write carries an
 * `Idempotency-Key`, fresh per call and the same on every attempt of it, so the cart applies it
 * once however many attempts reach a replica; any other POST is repeated only after a 503, which
 * services send before they changed anything.
 */
async function api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const keyed = method !== 'GET' && isCartRoute(path);
  if (keyed) headers['Idempotency-Key'] = newIdempotencyKey();
  // W3C trace context from the edge: one trace per action, a new parent id per attempt. With
  // tracing on, gateway and services continue it; the hop trail shows its id either way.
  const traceId = randomHex(16);
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const repeatable = keyed || IDEMPOTENT.has(method);
  let waiting = false;
  try {
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      headers['traceparent'] = `00-${traceId}-${randomHex(8)}-01`;
      try {
        response = await fetch(path, init);
      } catch {
        response = undefined;
      }
      recordHop(method, path, response, traceId);
      const lost = !response || (UNAVAILABLE.has(response.status) && response.status !== 503);
      const retry = response?.status === 503 || (lost && repeatable && attempt < MAX_LOST_ATTEMPTS);
      if (!retry) {
        if (!response) throw new Error('The shop could not be reached. Please try again.');
        return { status: response.status, body: await readJson(response) };
      }
      if (!waiting) {
        waiting = true;
        setRetrying(+1);
      }
      await sleep(Math.min(250 * 2 ** (attempt - 1), 4_000) * (0.75 + Math.random() / 2));
    }
  } finally {
    if (waiting) setRetrying(-1);
  }
}

/** The routes cart-service serves writes on (`/cart/:item`, `/api/cart…`). */
/** `bytes` random bytes as lowercase hex (a trace id is 16, a span id 8). */
function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

function isCartRoute(path: string): boolean {
  return path.startsWith('/api/cart') || path.startsWith('/cart/');
}

/**
 * 128 random bits, hex. `crypto.getRandomValues` works on plain-HTTP pages too, where
 * `crypto.randomUUID` is missing (it needs a secure context).
 */
function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

function errorMessage(answer: ApiAnswer, fallback: string): string {
  const error = (answer.body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === 'string' ? error.message : fallback;
}

function setRetrying(delta: number): void {
  state.retrying += delta;
  byId('status').textContent = state.retrying > 0 ? 'Temporarily unavailable — retrying…' : '';
}

function showMessage(text: string): void {
  byId('message').textContent = text;
}

// ---- the hop trail ------------------------------------------------------------------------

/** Adds `#7 POST /api/cart/items 201 [gateway-2] → [cart-1] trace 4bf9…` to the top of the trail. */
function recordHop(
  method: string,
  path: string,
  response: Response | undefined,
  traceId: string,
): void {
  state.hopCount += 1;
  const replicas = (response?.headers.get('X-Served-By') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const status = response ? String(response.status) : 'network error';
  const item = h(
    'li',
    {},
    h('span', { class: 'req' }, `#${state.hopCount} ${method} ${path}`),
    h('span', { class: response?.ok ? 'code' : 'code bad' }, status),
  );
  replicas.forEach((name, index) => {
    if (index > 0) item.append(h('span', { 'aria-hidden': 'true' }, '→'));
    const colour = KNOWN_REPLICAS.test(name) ? `hop-${name}` : 'hop-other';
    item.append(h('span', { class: `hop ${colour}` }, name));
  });
  if (replicas.length === 0) item.append(h('span', { class: 'hop hop-other' }, 'no replica'));
  item.append(h('code', { class: 'trace', title: `trace id ${traceId}` }, `trace ${traceId}`));
  const list = byId('hops');
  list.prepend(item);
  while (list.children.length > MAX_HOPS) list.lastElementChild?.remove();
}

// ---- rendering ----------------------------------------------------------------------------

/** Re-renders `container` and keeps keyboard focus on the same control when it still exists. */
function replaceKeepingFocus(container: HTMLElement, ...children: Node[]): void {
  const focusedKey = (document.activeElement as HTMLElement | null)?.dataset['key'];
  const hadFocus = container.contains(document.activeElement);
  container.replaceChildren(...children);
  if (!hadFocus) return;
  const again = focusedKey
    ? container.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusedKey)}"]`)
    : null;
  (again ?? byId('cart-title')).focus();
}

/**
 * A button the click listener dispatches on (`data-action`, `data-sku`). `data-key` lets focus
 * come back to it after a re-render; `name` is its accessible name when the text alone is vague.
 */
function actionButton(
  text: string,
  action: string,
  options: { sku?: string; name?: string; className?: string } = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: options.className,
      'aria-label': options.name,
      'data-action': action,
      'data-sku': options.sku,
      'data-key': `${action}-${options.sku ?? ''}`,
    },
    text,
  );
}

function renderProducts(): void {
  const items = state.products.map((product) =>
    h(
      'li',
      {},
      h('span', { class: 'name' }, product.name),
      h('span', { class: 'price' }, money(product.price)),
      actionButton('Add', 'add', { sku: product.sku, name: `Add ${product.name} to cart` }),
    ),
  );
  replaceKeepingFocus(byId('products'), ...items);
}

function renderCart(): void {
  const cart = state.cart;
  if (!cart) return;
  const actions = h('div', { class: 'cart-actions' });
  actions.append(actionButton('Reload cart', 'reload', { className: 'quiet' }));
  if (cart.lines.length === 0) {
    replaceKeepingFocus(byId('cart'), h('p', {}, 'Your cart is empty.'), actions);
    return;
  }
  actions.append(actionButton('Empty cart', 'clear', { className: 'quiet' }));
  const rows = cart.lines.map(({ sku, name, qty, price, lineTotal }) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, name),
      h(
        'td',
        {},
        h(
          'span',
          { class: 'qty' },
          actionButton('−', 'decrease', {
            sku,
            name: `Decrease quantity of ${name}`,
            className: 'icon quiet',
          }),
          h('span', {}, String(qty)),
          actionButton('+', 'increase', {
            sku,
            name: `Increase quantity of ${name}`,
            className: 'icon quiet',
          }),
        ),
      ),
      h('td', { class: 'num' }, money(price)),
      h('td', { class: 'num' }, money(lineTotal)),
      h(
        'td',
        {},
        actionButton('Remove', 'remove', { sku, name: `Remove ${name}`, className: 'quiet' }),
      ),
    ),
  );
  const headings = ['Product', 'Quantity', 'Price', 'Subtotal', 'Actions'].map((text) =>
    h(
      'th',
      { scope: 'col', class: text === 'Price' || text === 'Subtotal' ? 'num' : undefined },
      text,
    ),
  );
  const total = h(
    'tr',
    {},
    h('th', { scope: 'row', colspan: '3' }, 'Total'),
    h('td', { class: 'num', 'data-testid': 'cart-total' }, money(cart.total)),
    h('td'),
  );
  const table = h(
    'table',
    {},
    h('caption', {}, `${cart.count} item${cart.count === 1 ? '' : 's'} in your cart`),
    h('thead', {}, h('tr', {}, ...headings)),
    h('tbody', {}, ...rows),
    h('tfoot', {}, total),
  );
  replaceKeepingFocus(byId('cart'), table, actions);
}

function renderAccount(): void {
  const container = byId('account');
  sessions.setSignedIn(state.user !== undefined);
  if (state.user) {
    container.replaceChildren(
      h('p', {}, `Signed in as ${state.user.username}`),
      actionButton('Sign out', 'logout', { className: 'quiet' }),
    );
    return;
  }
  const form = h(
    'form',
    { id: 'login-form', 'aria-labelledby': 'account-title' },
    h('label', { for: 'username' }, 'Username'),
    h('input', { id: 'username', name: 'username', autocomplete: 'username', required: '' }),
    h('label', { for: 'password' }, 'Password'),
    h('input', {
      id: 'password',
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: '',
    }),
    h('button', { type: 'submit' }, 'Sign in'),
    h('p', { class: 'muted' }, 'Demo users: alice / alice123, bob / bob123.'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    login(String(data.get('username') ?? ''), String(data.get('password') ?? '')).catch(failed);
  });
  container.replaceChildren(form);
}

// ---- actions ------------------------------------------------------------------------------

function isCart(body: unknown): body is CartView {
  return typeof body === 'object' && body !== null && Array.isArray((body as CartView).lines);
}

/** Sends a cart request and draws the cart it answers with (every cart route returns one). */
async function cartRequest(method: string, path: string, body?: unknown): Promise<void> {
  const seq = ++state.cartSeq;
  const answer = await api(method, path, body);
  if (!isCart(answer.body)) {
    showMessage(errorMessage(answer, `The cart answered ${answer.status}.`));
    return;
  }
  showMessage('');
  // The change may have created the session: open this tab's socket and tell the other tabs.
  if (method !== 'GET' && live.connect()) {
    tabs.sessionStarted();
    fleet.reconnect(); // the session panel now has a key to show
  }
  if (seq < state.shownCartSeq) return;
  state.shownCartSeq = seq;
  state.cart = answer.body;
  state.currency = answer.body.currency;
  renderCart();
}

async function loadCatalog(): Promise<void> {
  const answer = await api('GET', '/api/catalog');
  const body = answer.body as { products?: Product[]; currency?: string } | undefined;
  if (!Array.isArray(body?.products)) {
    showMessage(errorMessage(answer, 'The catalog could not be loaded.'));
    return;
  }
  state.products = body.products;
  state.currency = body.currency ?? state.currency;
  renderProducts();
}

async function loadUser(): Promise<void> {
  const answer = await api('GET', '/api/account/me');
  state.user = answer.status === 200 ? (answer.body as { user?: User }).user : undefined;
  renderAccount();
}

async function login(username: string, password: string): Promise<void> {
  const answer = await api('POST', '/api/account/login', { username, password });
  if (answer.status !== 200) {
    showMessage(
      answer.status === 401
        ? 'Wrong username or password.'
        : errorMessage(answer, `Sign-in failed (${answer.status}).`),
    );
    byId('password').focus();
    return;
  }
  showMessage('');
  state.user = (answer.body as { user?: User }).user;
  renderAccount();
  live.reconnect(); // a new token: the socket must name the new session
  fleet.reconnect();
  tabs.signedIn();
  // The anonymous cart is kept across sign-in; reading it shows that it followed the new session.
  await cartRequest('GET', '/api/cart');
}

async function logout(): Promise<void> {
  live.stop(); // this tab's own sign-out is no news to it (other tabs get 4002)
  const answer = await api('POST', '/api/account/logout');
  if (answer.status >= 400) {
    showMessage(errorMessage(answer, `Sign-out failed (${answer.status}).`));
    return;
  }
  state.user = undefined;
  renderAccount();
  fleet.reconnect();
  byId('username').focus();
  await cartRequest('GET', '/api/cart');
}

function quantityOf(sku: string): number {
  return state.cart?.lines.find((line) => line.sku === sku)?.qty ?? 0;
}

/** One listener for every button: they carry `data-action` and `data-sku`. */
function onClick(event: MouseEvent): void {
  const target = (event.target as Element | null)?.closest<HTMLButtonElement>(
    'button[data-action]',
  );
  const action = target
    ? actionFor(target.dataset['action'], target.dataset['sku'] ?? '')
    : undefined;
  action?.().catch(failed);
}

function actionFor(action: string | undefined, sku: string): (() => Promise<void>) | undefined {
  const item = `/api/cart/items/${encodeURIComponent(sku)}`;
  switch (action) {
    // Increase is an add, not a PATCH to qty + 1: the service adds atomically, so fast clicks
    // on two tabs all count.
    case 'add':
    case 'increase':
      return () => cartRequest('POST', '/api/cart/items', { sku, qty: 1 });
    case 'decrease':
      return () => cartRequest('PATCH', item, { qty: Math.max(quantityOf(sku) - 1, 0) });
    case 'remove':
      return () => cartRequest('DELETE', item);
    case 'clear':
      return () => cartRequest('DELETE', '/api/cart');
    case 'reload':
      return () => cartRequest('GET', '/api/cart');
    case 'logout':
      return logout;
    default:
      return undefined;
  }
}

function failed(err: unknown): void {
  showMessage(err instanceof Error ? err.message : String(err));
}

// ---- live updates, your sessions, other tabs (live-updates.ts, sessions-view.ts, tab-sync.ts)

/** A cart pushed over `/ws` supersedes the answers to requests sent before it arrived. */
function showPushedCart(pushed: PushedCart): void {
  const priced = priceLines(pushed.lines, state.products, state.currency);
  if (!priced) {
    cartRequest('GET', '/api/cart').catch(failed);
    return;
  }
  state.shownCartSeq = state.cartSeq + 1;
  state.cart = priced;
  renderCart();
}

/** The session ended elsewhere (revoked, logged out, expired): signed out, cart gone with it. */
function sessionEnded(message: string): void {
  state.user = undefined;
  renderAccount();
  state.shownCartSeq = state.cartSeq + 1;
  state.cart = { currency: state.currency, lines: [], total: 0, count: 0 };
  renderCart();
  showMessage(message);
}

const live = new LiveUpdates(
  { onCart: showPushedCart, onSessionEnded: sessionEnded },
  document.getElementById('live'),
);
const fleet = new FleetView(byId('fleet'), byId('session-key'), byId('fleet-status'));
const sessions = new SessionsView({
  api,
  showMessage,
  onSignedOut: () => sessionEnded('You are no longer signed in.'),
});
const tabs = new TabSync(
  () => {
    live.reconnect();
    fleet.reconnect();
    loadUser().catch(failed);
    cartRequest('GET', '/api/cart').catch(failed);
  },
  () => {
    live.connect();
    fleet.reconnect();
    cartRequest('GET', '/api/cart').catch(failed);
  },
);

function start(): void {
  document.addEventListener('click', onClick);
  live.connect();
  fleet.connect();
  loadCatalog().catch(failed);
  cartRequest('GET', '/api/cart').catch(failed);
  loadUser().catch(failed);
}

start();
