import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import { SessionTokenTransport } from './session-token-transport.js';

const transport = new SessionTokenTransport({ cookieSecure: true });

describe('SessionTokenTransport', () => {
  it('is in header mode as soon as the client sends X-Auth-Token, even empty', () => {
    assert.equal(transport.transportOf({ headers: { 'x-auth-token': 'abc' } }), 'header');
    assert.equal(transport.transportOf({ headers: { 'x-auth-token': '' } }), 'header');
    assert.equal(transport.transportOf({ headers: { cookie: '__Host-SESSION=abc' } }), 'cookie');
    assert.equal(transport.transportOf({ headers: {} }), 'cookie');
  });

  it('takes the token from the client transport only', () => {
    const both = { 'x-auth-token': 'from-header', cookie: '__Host-SESSION=from-cookie' };
    assert.equal(transport.tokenOf({ headers: both }), 'from-header');
    assert.equal(
      transport.tokenOf({ headers: { cookie: 'a=1; __Host-SESSION=from-cookie' } }),
      'from-cookie',
    );
    assert.equal(
      transport.tokenOf({ headers: { 'x-auth-token': '', cookie: '__Host-SESSION=c' } }),
      undefined,
    );
    assert.equal(transport.tokenOf({ headers: { cookie: 'SESSIONX=nope' } }), undefined);
  });

  it('names the cookie __Host-SESSION when Secure, plain SESSION for plain-HTTP demos', () => {
    const plain = new SessionTokenTransport({ cookieSecure: false });
    assert.equal(plain.tokenOf({ headers: { cookie: 'SESSION=t' } }), 't');
    assert.equal(plain.tokenOf({ headers: { cookie: '__Host-SESSION=t' } }), undefined);
    // Secure: an unprefixed SESSION cookie (planted by a subdomain, say) is not the session.
    assert.equal(transport.tokenOf({ headers: { cookie: 'SESSION=planted' } }), undefined);
    const headers: IncomingHttpHeaders = { 'x-auth-token': 'tok' };
    plain.translateResponse('cookie', headers);
    assert.equal(headers['set-cookie']?.[0], 'SESSION=tok; Path=/; HttpOnly; SameSite=Lax');
  });

  it('carries only token-shaped values: a percent-decoded NUL or CRLF never goes upstream', () => {
    for (const cookie of [
      '__Host-SESSION=%00',
      '__Host-SESSION=%0D%0AX-Evil:%201',
      '__Host-SESSION=a%20b',
    ]) {
      assert.equal(transport.tokenOf({ headers: { cookie } }), undefined, cookie);
    }
    assert.equal(transport.tokenOf({ headers: { 'x-auth-token': 'caf\u00e9' } }), undefined);
    assert.equal(transport.tokenOf({ headers: { 'x-auth-token': 'x'.repeat(257) } }), undefined);
  });

  it('removes only the session cookie from what goes upstream', () => {
    assert.equal(transport.cookiesWithoutSession('a=1; __Host-SESSION=t; b=2'), 'a=1; b=2');
    assert.equal(transport.cookiesWithoutSession('__Host-SESSION=t'), undefined);
    assert.equal(transport.cookiesWithoutSession('MYSESSION=t;__Host-SESSION = t2'), 'MYSESSION=t');
    assert.equal(transport.cookiesWithoutSession(undefined), undefined);
  });

  it('in cookie mode turns an upstream token into Set-Cookie and drops the header', () => {
    const headers: IncomingHttpHeaders = { 'x-auth-token': 'tok', 'set-cookie': ['other=1'] };
    transport.translateResponse('cookie', headers);
    assert.equal(headers['x-auth-token'], undefined);
    assert.equal(headers['set-cookie']?.length, 2);
    assert.equal(headers['set-cookie']?.[0], 'other=1');
    assert.equal(
      headers['set-cookie']?.[1],
      '__Host-SESSION=tok; Path=/; HttpOnly; Secure; SameSite=Lax',
    );
    assert.equal(headers['cache-control'], 'no-store');
  });

  it('in cookie mode expires the cookie on an empty upstream token', () => {
    const headers: IncomingHttpHeaders = { 'x-auth-token': '' };
    transport.translateResponse('cookie', headers);
    assert.equal(headers['x-auth-token'], undefined);
    assert.match(
      String(headers['set-cookie']?.[0]),
      /^__Host-SESSION=; Max-Age=0;.*Expires=Thu, 01 Jan 1970/,
    );
  });

  it('leaves responses without an upstream token and header-mode responses alone', () => {
    const untouched: IncomingHttpHeaders = { 'content-type': 'application/json' };
    transport.translateResponse('cookie', untouched);
    assert.deepEqual(untouched, { 'content-type': 'application/json' });
    const header: IncomingHttpHeaders = { 'x-auth-token': 'tok' };
    transport.translateResponse('header', header);
    assert.deepEqual(header, { 'x-auth-token': 'tok' });
  });
});
