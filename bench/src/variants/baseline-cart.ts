import type { Request } from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import type { ServiceEnv } from '@baton/service-kit';
import { type CartBackend, MARK_PREFIX } from './cart-app.js';

/** The cookie express-session uses by default; the bench signs its own for preloaded sessions. */
export const BASELINE_COOKIE = 'connect.sid';

/** connect-redis' default key prefix, kept: this variant is configured the way its README shows. */
export const BASELINE_PREFIX = 'sess:';

/** The express-session request view, named apart from Baton's `req.session` of the same name. */
interface ExpressSessionRequest {
  session: session.Session & { cart?: string[] } & Record<string, unknown>;
  sessionID: string;
}

/**
 * The usual Node stack: express-session + connect-redis 10 on node-redis (connect-redis 9+ speaks
 * only node-redis; through an ioredis client it would silently store nothing), configured as
 * {@link expressSessionBackend} shows.
 */
export async function baselineBackend(config: ServiceEnv, secret: string): Promise<CartBackend> {
  // Named like the replica (as service-kit names its ioredis client), so the bench can tell the
  // cart replicas' commands from the other clients' in CLIENT LIST and MONITOR.
  const client = createClient({ url: config.VALKEY_URL, name: config.INSTANCE_ID });
  client.on('error', () => {
    // reconnects by itself; the request that needed it fails with a 500
  });
  await client.connect();
  const store = new RedisStore({ client, prefix: BASELINE_PREFIX });
  return {
    ...expressSessionBackend(config, secret, store),
    close: async () => {
      await client.close();
    },
  };
}

/**
 * The cart on express-session with the options its README recommends (`resave: false`,
 * `saveUninitialized: false`) and the same 30 min sliding expiry as Baton; `store` omitted is its
 * in-process `MemoryStore`. The handler does what most code does: read the array, push, let
 * express-session save the whole session at the end of the request.
 */
export function expressSessionBackend(
  config: ServiceEnv,
  secret: string,
  store?: session.Store,
): CartBackend {
  const withSession = session({
    ...(store ? { store } : {}),
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
  const view = (req: Request) => req as unknown as ExpressSessionRequest;
  return {
    middleware: [withSession],
    read: (req) => view(req).session.cart ?? [],
    add: async (req, item) => {
      const { session: s } = view(req);
      s.cart = [...(s.cart ?? []), item];
      return s.cart;
    },
    mark: async (req, name) => {
      view(req).session[MARK_PREFIX + name] = true;
    },
    marks: (req) =>
      Object.keys(view(req).session)
        .filter((k) => k.startsWith(MARK_PREFIX))
        .map((k) => k.slice(MARK_PREFIX.length)),
    sessionId: (req) => view(req).sessionID,
  };
}
