import express, { type Express, type Request, type RequestHandler, type Router } from 'express';

/**
 * Where a variant keeps the cart. The three variants differ only here: the routes, the JSON they
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
  /** What the article's `POST /cart/:item` answers as `sessionId`. */
  sessionId(req: Request): string;
  /** Closes what the backend opened (its own store client), after the server stopped. */
  close?(): Promise<void>;
}

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
  return app;
}
