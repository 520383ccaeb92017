import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import { SessionTokenTransport } from './session-token-transport.js';

const transport = new SessionTokenTransport({ cookieSecure: true });

describe('SessionTokenTransport', () => {
  it('is in header mode as soon as the client sends X-Auth-Token, even empty', () => {
    assert.equal(transport.transportOf({ headers: { 'x-auth-token': 'abc' } }), 'header');
    assert.equal(transport.transportOf({ headers: { 'x-auth-token': '' } }), 'header');
    assert.equal(transport.transportOf({ headers: { cookie: 'SESSION=abc' } }), 'cookie');
    assert.equal(transport.transportOf({ headers: {} }), 'cookie');
  });

  it('takes the token from the client transport only', () => {
    const both = { 'x-auth-token': 'from-header', cookie: 'SESSION=from-cookie' };
    assert.equal(transport.tokenOf({ headers: both }), 'from-header');
    assert.equal(
      transport.tokenOf({ headers: { cookie: 'a=1; SESSION=from-cookie' } }),
      'from-cookie',
    );
    assert.equal(
      transport.tokenOf({ headers: { 'x-auth-token': '', cookie: 'SESSION=c' } }),
      undefined,
    );
    assert.equal(transport.tokenOf({ headers: { cookie: 'SESSIONX=nope' } }), undefined);
  });

  it('removes only the session cookie from what goes upstream', () => {
    assert.equal(transport.cookiesWithoutSession('a=1; SESSION=t; b=2'), 'a=1; b=2');
    assert.equal(transport.cookiesWithoutSession('SESSION=t'), undefined);
    assert.equal(transport.cookiesWithoutSession('MYSESSION=t;SESSION = t2'), 'MYSESSION=t');
    assert.equal(transport.cookiesWithoutSession(undefined), undefined);
  });

  it('in cookie mode turns an upstream token into Set-Cookie and drops the header', () => {
    const headers: IncomingHttpHeaders = { 'x-auth-token': 'tok', 'set-cookie': ['other=1'] };
    transport.translateResponse('cookie', headers);
    assert.equal(headers['x-auth-token'], undefined);
    assert.equal(headers['set-cookie']?.length, 2);
    assert.equal(headers['set-cookie']?.[0], 'other=1');
    assert.equal(headers['set-cookie']?.[1], 'SESSION=tok; Path=/; HttpOnly; Secure; SameSite=Lax');
    assert.equal(headers['cache-control'], 'no-store');
  });

  it('in cookie mode expires the cookie on an empty upstream token', () => {
    const headers: IncomingHttpHeaders = { 'x-auth-token': '' };
    transport.translateResponse('cookie', headers);
    assert.equal(headers['x-auth-token'], undefined);
    assert.match(
      String(headers['set-cookie']?.[0]),
      /^SESSION=; Max-Age=0;.*Expires=Thu, 01 Jan 1970/,
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
