import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { sessionIdOf } from '@baton/session';
import { makeSession } from './session-formats.js';

test('a preloaded Baton session is keyed by the hash of the token its cookie carries', () => {
  const session = makeSession('baton', 'unused', true);
  const token = session.cookie?.replace(/^SESSION=/, '') ?? '';
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(session.storeId, sessionIdOf(token));
  assert.equal(session.key, `myplatform:sessions:sessions:{${session.storeId}}`);
});

test('a preloaded express-session cookie unsigns with the library express-session uses', () => {
  // cookie-signature, resolved from express-session itself: the code that will check the cookie.
  const fromExpressSession = createRequire(
    createRequire(import.meta.url).resolve('express-session'),
  );
  const signature = fromExpressSession('cookie-signature') as {
    unsign(value: string, secret: string): string | false;
  };
  const secret = 'a secret of some length';
  const session = makeSession('baseline', secret, true);
  const value = decodeURIComponent(session.cookie?.replace(/^connect\.sid=/, '') ?? '');
  assert.ok(value.startsWith('s:'));
  assert.equal(signature.unsign(value.slice(2), secret), session.storeId);
  assert.equal(signature.unsign(value.slice(2), 'another secret'), false);
  assert.equal(session.key, `sess:${session.storeId}`);
});

test('filler sessions have ids of the same length and no cookie', () => {
  const baton = makeSession('baton', 's', false);
  const baseline = makeSession('baseline', 's', false);
  assert.equal(baton.cookie, undefined);
  assert.equal(baton.storeId.length, 43);
  assert.equal(baseline.storeId.length, 32);
});
