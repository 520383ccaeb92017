import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { webRoot } from '@baton/web';
import { gatewayRig } from './gateway-rig.js';
import { type Answer, type GatewayUnderTest, request } from './harness.js';

const CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self';connect-src 'self';" +
  "object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";

/** The headers helmet must put on every kind of answer: the page, an asset, the API, an error. */
function assertSecurityHeaders(res: Answer, what: string): void {
  assert.equal(res.headers['content-security-policy'], CSP, what);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(res.headers['x-frame-options'], 'DENY', what);
  assert.equal(res.headers['referrer-policy'], 'same-origin', what);
  assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', what);
  assert.equal(res.headers['x-powered-by'], undefined, what);
}

describe('security headers and the session cookie', () => {
  const rig = gatewayRig({ gateways: [{}, { COOKIE_SECURE: 'true' }] });
  let plain: GatewayUnderTest;
  let secure: GatewayUnderTest;

  before(() => {
    [plain, secure] = rig.gateways as [GatewayUnderTest, GatewayUnderTest];
  });

  it('the page, its assets, the proxied API and errors all carry the CSP and helmet headers', async () => {
    const html = await request(plain.url, 'GET', '/');
    assert.equal(html.status, 200);
    assertSecurityHeaders(html, 'GET /');
    const script = /src="(app\.js\?v=[0-9a-f]+)"/.exec(html.body)?.[1];
    assertSecurityHeaders(await request(plain.url, 'GET', `/${script}`), 'app.js');
    assertSecurityHeaders(await request(plain.url, 'GET', '/api/catalog'), 'proxied API');
    assertSecurityHeaders(await request(plain.url, 'GET', '/nope'), '404');
    assertSecurityHeaders(await request(plain.url, 'GET', '/healthz'), 'probe');
  });

  it('the page needs nothing the CSP forbids: no inline script, style or handler', () => {
    const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
    for (const script of html.match(/<script\b[^>]*>/g) ?? []) assert.match(script, /\bsrc="/);
    assert.doesNotMatch(html, /<style\b|\sstyle="|\son[a-z]+="|javascript:/i);
  });

  it('HSTS only when COOKIE_SECURE=true (an HTTPS deployment)', async () => {
    assert.equal(
      (await request(plain.url, 'GET', '/')).headers['strict-transport-security'],
      undefined,
    );
    assert.equal(
      (await request(secure.url, 'GET', '/')).headers['strict-transport-security'],
      'max-age=31536000; includeSubDomains',
    );
  });

  it('COOKIE_SECURE=true: the cookie is __Host-SESSION, Secure, HttpOnly, Path=/, no Domain', async () => {
    rig.cart.replyOnce({ headers: { 'x-auth-token': 'tok-1' } });
    const res = await request(secure.url, 'GET', '/api/cart');
    const [cookie = ''] = res.headers['set-cookie'] ?? [];
    assert.equal(cookie, '__Host-SESSION=tok-1; Path=/; HttpOnly; Secure; SameSite=Lax');
    assert.doesNotMatch(cookie, /Domain=/i);
    assert.equal(res.headers['x-auth-token'], undefined, 'the token never reaches page scripts');

    // The prefixed cookie is the session; an unprefixed one (planted by a subdomain) is not.
    await request(secure.url, 'GET', '/api/cart', { headers: { cookie: '__Host-SESSION=tok-1' } });
    assert.equal(rig.cart.last.headers['x-auth-token'], 'tok-1');
    await request(secure.url, 'GET', '/api/cart', { headers: { cookie: 'SESSION=planted' } });
    assert.equal(rig.cart.last.headers['x-auth-token'], undefined);
  });

  it('COOKIE_SECURE=false keeps the plain SESSION name for plain-HTTP demos, still HttpOnly', async () => {
    rig.cart.replyOnce({ headers: { 'x-auth-token': 'tok-2' } });
    const res = await request(plain.url, 'GET', '/api/cart');
    assert.equal(res.headers['set-cookie']?.[0], 'SESSION=tok-2; Path=/; HttpOnly; SameSite=Lax');
  });
});
