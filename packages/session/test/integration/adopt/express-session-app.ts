import express, { type Express, type Request } from 'express';
import session, { type Store } from 'express-session';

/**
 * express-session's `req.session`. The cast is only needed inside this package, whose Express
 * adapter types `req.session` as Baton's own session; an app has express-session's typing.
 */
type AppSession = session.Session & { cart?: string[] } & Record<string, unknown>;
const sessionOf = (req: Request) => req.session as unknown as AppSession;

/**
 * An express-session app as teams already have it: the cart appends, each preference is its own
 * top-level key. `store` is the one line an adopter changes (MemoryStore → BatonStore); the rest
 * is the app's own code and never mentions Baton.
 */
export function expressSessionApp(store: Store, errors: express.ErrorRequestHandler): Express {
  const app = express();
  app.use(
    session({
      store,
      secret: 'an existing app secret',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 60_000 },
    }),
  );
  app.post('/cart/:item', (req, res) => {
    const s = sessionOf(req);
    s.cart = [...(s.cart ?? []), req.params.item as string];
    res.json({ cart: s.cart });
  });
  app.put('/prefs/:name/:value', (req, res) => {
    sessionOf(req)[`pref-${req.params.name}`] = req.params.value as string;
    res.json({ ok: true });
  });
  app.get('/session', (req, res) => {
    res.json({ cart: sessionOf(req).cart ?? [], prefs: prefsOf(sessionOf(req)) });
  });
  app.post('/logout', (req, res, next) => {
    sessionOf(req).destroy((err) => (err ? next(err) : res.status(204).end()));
  });
  app.use(errors);
  return app;
}

/** The `pref-*` keys of a session, by name. */
export function prefsOf(session: object): Record<string, string> {
  return Object.fromEntries(
    Object.entries(session)
      .filter(([key]) => key.startsWith('pref-'))
      .map(([key, value]) => [key.slice('pref-'.length), String(value)]),
  );
}
