import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Fastify, { type FastifyInstance } from 'fastify';
import { toHttpError } from '../../../src/core/index.js';
import { prefsOf } from './express-session-app.js';

type SessionStore = fastifySession.SessionStore;

/**
 * The same app on @fastify/session, as its README sets it up. `store` is the one line an adopter
 * changes; the error handler answers store errors through `toHttpError`, the project's one
 * code → status table (503 + Retry-After with `{ error: { code, message } }`).
 */
export async function fastifySessionApp(store: SessionStore): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    store,
    secret: 'an existing fastify app secret of 32+ chars',
    saveUninitialized: false,
    cookie: { secure: false, maxAge: 60_000 },
  });
  app.setErrorHandler((err, _req, reply) => {
    const mapped = toHttpError(err);
    if (!mapped) return reply.send(err);
    return reply.code(mapped.status).headers(mapped.headers).send(mapped.body);
  });
  const data = (session: unknown) => session as Record<string, unknown> & { cart?: string[] };
  app.post<{ Params: { item: string } }>('/cart/:item', async (req) => {
    const s = data(req.session);
    s.cart = [...(s.cart ?? []), req.params.item];
    return { cart: s.cart };
  });
  app.put<{ Params: { name: string; value: string } }>('/prefs/:name/:value', async (req) => {
    data(req.session)[`pref-${req.params.name}`] = req.params.value;
    return { ok: true };
  });
  app.get('/session', async (req) => ({
    cart: data(req.session).cart ?? [],
    prefs: prefsOf(req.session),
  }));
  app.post('/logout', async (req, reply) => {
    await req.session.destroy();
    return reply.code(204).send();
  });
  return app;
}
