/**
 * Lab: replay a stolen pre-login session cookie (session fixation).
 *
 * Starts the whole local stack on free ports and a temporary state directory, then:
 *   1. the attacker gets an anonymous session (adds an apple) and keeps its cookie T;
 *   2. the victim's browser is made to use T and signs in as alice → the gateway sets T2;
 *   3. the attacker replays T: who is it, and what cart does it see?
 * Prints what happened in numbers. It holds when the old cookie gained nothing (a fresh,
 * signed-out, empty session); a signed-in old cookie is the failure this lab exists to show.
 */
import { join } from 'node:path';
import { createStack, freePort } from '@baton/stack';
import type { Lab } from '../lab-run.js';

export const stolenToken: Lab = {
  name: 'stolen-token',
  summary:
    'the whole local stack: a cookie planted before sign-in is a fresh, signed-out, empty session after it',
  run: async (lab) => {
    const stack = createStack({
      stateDir: join(lab.dir, 'stack'),
      edgePort: await freePort(),
      valkeyPort: await freePort(),
      // Plain HTTP on loopback: the cookie is `SESSION`, whatever COOKIE_SECURE the shell has.
      env: { LOG_LEVEL: 'warn', COOKIE_SECURE: 'false' },
    });
    // The stack's processes are detached (they outlive a CLI call): down stops them by PID.
    lab.defer(() => stack.down());
    const started = Date.now();
    await stack.up();
    const upMs = Date.now() - started;
    const edge = stack.edgeUrl;

    // 1. The attacker's anonymous session: a cookie T, with an apple in its cart.
    const planted = await call(edge, 'POST', '/cart/apple');
    const t = sessionCookieOf(planted.res);
    if (!t) throw new Error(`no SESSION cookie on the anonymous add (HTTP ${planted.res.status})`);

    // 2. The victim signs in while holding T (planted in the victim's browser).
    const login = await call(edge, 'POST', '/api/account/login', t, {
      username: 'alice',
      password: 'alice123',
    });
    const t2 = sessionCookieOf(login.res);

    // 3. Both replay what they hold.
    const attackerMe = await call(edge, 'GET', '/api/account/me', t);
    const attackerCart = await call(edge, 'GET', '/cart', t);
    const victimMe = await call(edge, 'GET', '/api/account/me', t2);
    const victimCart = await call(edge, 'GET', '/cart', t2);

    const cartOf = (body: unknown): string[] => (body as { cart?: string[] }).cart ?? [];
    const rotated = t2 !== undefined && t2 !== t;
    const attackerSignedIn = attackerMe.res.status === 200;
    lab.log(`stack up in ${upMs} ms at ${edge}`);
    console.log(
      [
        `  attacker's pre-login cookie: POST /cart/apple → ${planted.res.status}, cart ${JSON.stringify(cartOf(planted.body))}`,
        `  victim signs in holding it:  POST /api/account/login → ${login.res.status}, new cookie: ${rotated ? 'yes' : 'NO'}`,
        `  attacker replays old cookie: GET /api/account/me → ${attackerMe.res.status}, GET /cart → ${JSON.stringify(cartOf(attackerCart.body))}`,
        `  victim with the new cookie:  GET /api/account/me → ${victimMe.res.status}, GET /cart → ${JSON.stringify(cartOf(victimCart.body))}`,
      ].join('\n'),
    );
    lab.log(
      `rotated=${rotated ? 1 : 0}, attackerSignedIn=${attackerSignedIn ? 1 : 0}, ` +
        `attackerCartItems=${cartOf(attackerCart.body).length}, victimSignedIn=${victimMe.res.status === 200 ? 1 : 0}, ` +
        `victimCartItems=${cartOf(victimCart.body).length}`,
    );
    return rotated && !attackerSignedIn && cartOf(attackerCart.body).length === 0;
  },
};

/** @private One request through the edge, as a browser without a jar: the cookie is explicit. */
async function call(
  edge: string,
  method: 'GET' | 'POST',
  path: string,
  session?: string,
  json?: unknown,
): Promise<{ res: Response; body: unknown }> {
  const headers: Record<string, string> = {};
  if (session) headers.cookie = `SESSION=${session}`;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(edge + path, {
    method,
    headers,
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { text };
  }
  return { res, body };
}

/** @private The `SESSION` value a response sets, if any. */
function sessionCookieOf(res: Response): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const match = /^SESSION=([^;]*)/.exec(line);
    if (match?.[1]) return match[1];
  }
  return undefined;
}
