import type { Request } from 'express';
import session from 'express-session';
import type { ServiceEnv } from '@baton/service-kit';
import { BASELINE_COOKIE } from './baseline-cart.js';
import type { CartBackend } from './cart-app.js';

/** The express-session request view, named apart from Baton's `req.session` of the same name. */
interface MemoryRequest {
  session: session.Session & { cart?: string[] };
  sessionID: string;
}

/**
 * Node-local sessions: express-session with its default in-process `MemoryStore`, what an app has
 * before it shares a store, and what sticky sessions exist to prop up. Never benchmarked (it is
 * not in `VARIANTS`: a second replica does not see the first one's sessions, so the bench's
 * round-robin topology would measure nothing); the sticky-kill lab in `@baton/docs-check` runs it
 * behind a sticky nginx and kills a node. Same options as the baseline, minus the store.
 */
export function memoryBackend(config: ServiceEnv, secret: string): CartBackend {
  const withSession = session({
    secret,
    name: BASELINE_COOKIE,
    resave: false,
    saveUninitialized: false,
    cookie: {
      maxAge: config.SESSION_MAX_INACTIVE_SECONDS * 1000,
      httpOnly: true,
      sameSite: 'lax',
      secure: config.COOKIE_SECURE,
    },
  });
  const view = (req: Request) => req as unknown as MemoryRequest;
  return {
    middleware: [withSession],
    read: (req) => view(req).session.cart ?? [],
    add: async (req, item) => {
      const { session: s } = view(req);
      s.cart = [...(s.cart ?? []), item];
      return s.cart;
    },
    sessionId: (req) => view(req).sessionID,
  };
}
