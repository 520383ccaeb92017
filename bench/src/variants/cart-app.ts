import express, { type Express, type Request, type RequestHandler, type Router } from 'express';

/**
 * Where a variant keeps the cart. The variants differ only here: the routes, the JSON they
 * answer and the middleware around them are the same code for all three, so a difference in the
 * figures is the cost of the session layer and nothing else.
 */
export interface CartBackend {
  /** Middleware mounted on the two cart routes only (the session layer; none for the control). */
  readonly middleware: RequestHandler[];
  /** The cart as this request sees it. */
  read(req: Request): readonly string[];
  /** Appends `item` and resolves with the cart as written. */
  add(req: Request, item: string): Promise<readonly string[]>;
  /** Marks `name` in a top-level session key of its own (`key-<name>`), for the different-keys writes. */
  mark(req: Request, name: string): Promise<void>;
  /** The names marked so far. */
  marks(req: Request): readonly string[];
  /** What the article's `POST /cart/:item` answers as `sessionId`. */
  sessionId(req: Request): string;
  /** Closes what the backend opened (its own store client), after the server stopped. */
  close?(): Promise<void>;
}

/** The session key of a mark: one top-level key per name, so concurrent marks touch different keys. */
export const MARK_PREFIX = 'mark-';

/** The article's item names: what cart-service accepts as a path segment, minus the catalog check. */
const ITEM = /^[a-z0-9-]{1,40}$/;

/**
 * The article's two routes, verbatim, over any {@link CartBackend}:
 *
 * ```
 * POST /cart/:item  → { servedBy, sessionId, cart }
 * GET  /cart        → { servedBy, cart }
 * ```
 *
 * plus, for the lost-updates scenario of writes to different keys, `POST /cart/marks/:name`
 * (one session key per name) and `GET /cart/marks` → `{ servedBy, marks }`.
 *
 * Every response carries `X-Served-By`, like cart-service, so the gateway's header is the same;
 * `health` is service-kit's `/healthz` + `/readyz`, which the bench waits on.
 */
export function cartApp(instanceId: string, backend: CartBackend, health: Router): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(function servedBy(_req, res, next) {
    res.setHeader('X-Served-By', instanceId);
    next();
  });
  app.use(health);
  app.post('/cart/:item', ...backend.middleware, async (req, res) => {
    const item = String(req.params.item);
    if (!ITEM.test(item)) {
      res.status(400).json({ error: { code: 'INVALID_ITEM', message: 'item: 1-40 of a-z 0-9 -' } });
      return;
    }
    const cart = await backend.add(req, item);
    res.json({ servedBy: instanceId, sessionId: backend.sessionId(req), cart });
  });
  app.get('/cart', ...backend.middleware, (req, res) => {
    res.json({ servedBy: instanceId, cart: backend.read(req) });
  });
  app.post('/cart/marks/:name', ...backend.middleware, async (req, res) => {
    const name = String(req.params.name);
    if (!ITEM.test(name)) {
      res.status(400).json({ error: { code: 'INVALID_NAME', message: 'name: 1-40 of a-z 0-9 -' } });
      return;
    }
    await backend.mark(req, name);
    res.json({ servedBy: instanceId });
  });
  app.get('/cart/marks', ...backend.middleware, (req, res) => {
    res.json({ servedBy: instanceId, marks: backend.marks(req) });
  });
  return app;
}
