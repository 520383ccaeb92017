import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompositeIdResolver } from './composite.js';
import { CookieIdResolver } from './cookie.js';
import { HeaderIdResolver } from './header.js';

class FakeResponse {
  readonly headers = new Map<string, unknown>();
  getHeader(name: string) {
    return this.headers.get(name.toLowerCase()) as string | string[] | undefined;
  }
  setHeader(name: string, value: unknown) {
    this.headers.set(name.toLowerCase(), value);
  }
}

describe('CookieIdResolver', () => {
  it('reads its cookie among others', () => {
    const resolver = new CookieIdResolver();
    assert.equal(resolver.resolve({ headers: { cookie: 'a=1; __Host-SESSION=tok; b=2' } }), 'tok');
    // The unprefixed name is another cookie: one a subdomain could have planted.
    assert.equal(resolver.resolve({ headers: { cookie: 'SESSION=planted' } }), undefined);
    assert.equal(resolver.resolve({ headers: { cookie: 'a=1' } }), undefined);
    assert.equal(resolver.resolve({ headers: {} }), undefined);
  });

  it('sets __Host-SESSION with HttpOnly, SameSite=Lax, Path=/ and Secure by default, without a lifetime', () => {
    const res = new FakeResponse();
    new CookieIdResolver().set(res, 'tok');
    assert.deepEqual(res.getHeader('set-cookie'), [
      '__Host-SESSION=tok; Path=/; HttpOnly; Secure; SameSite=Lax',
    ]);
  });

  it('is plain SESSION when not Secure (plain-HTTP demos), and HttpOnly either way', () => {
    const res = new FakeResponse();
    const resolver = new CookieIdResolver({ secure: false });
    assert.equal(resolver.name, 'SESSION');
    resolver.set(res, 'tok');
    assert.deepEqual(res.getHeader('set-cookie'), ['SESSION=tok; Path=/; HttpOnly; SameSite=Lax']);
  });

  it('refuses a __Host- name the browser would drop, and a __Secure- one without Secure', () => {
    for (const options of [
      { name: '__Host-SESSION', secure: false },
      { name: '__Host-SESSION', path: '/shop' },
      { name: '__Host-SESSION', domain: 'example.com' },
      { name: '__Secure-SESSION', secure: false },
    ]) {
      assert.throws(() => new CookieIdResolver(options), {
        code: 'SESSION_OPTIONS_INVALID',
        message: /cookie\.name.*__(Host|Secure)-/,
      });
    }
  });

  it('drops Secure only when asked to, and keeps Set-Cookie headers set by others', () => {
    const res = new FakeResponse();
    res.setHeader('Set-Cookie', 'theme=dark');
    new CookieIdResolver({ secure: false, name: 'SID' }).set(res, 'tok');
    assert.deepEqual(res.getHeader('set-cookie'), [
      'theme=dark',
      'SID=tok; Path=/; HttpOnly; SameSite=Lax',
    ]);
  });

  it('expires the cookie', () => {
    const res = new FakeResponse();
    new CookieIdResolver().expire(res);
    const [cookie] = res.getHeader('set-cookie') as string[];
    assert.match(
      cookie as string,
      /^__Host-SESSION=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/,
    );
  });
});

describe('HeaderIdResolver', () => {
  it('reads X-Auth-Token case-insensitively and ignores blanks', () => {
    const resolver = new HeaderIdResolver();
    assert.equal(resolver.resolve({ headers: { 'x-auth-token': ' tok ' } }), 'tok');
    assert.equal(resolver.resolve({ headers: { 'x-auth-token': '' } }), undefined);
    assert.equal(resolver.resolve({ headers: {} }), undefined);
  });

  it('writes the token on set and an empty header on expire', () => {
    const res = new FakeResponse();
    const resolver = new HeaderIdResolver();
    resolver.set(res, 'tok');
    assert.equal(res.getHeader('x-auth-token'), 'tok');
    resolver.expire(res);
    assert.equal(res.getHeader('x-auth-token'), '');
  });
});

describe('CompositeIdResolver', () => {
  const composite = new CompositeIdResolver([
    new HeaderIdResolver(),
    new CookieIdResolver({ secure: false }),
  ]);

  it('prefers the header, then falls back to the cookie', () => {
    assert.equal(composite.resolve({ headers: { 'x-auth-token': 'h', cookie: 'SESSION=c' } }), 'h');
    assert.equal(composite.resolve({ headers: { cookie: 'SESSION=c' } }), 'c');
  });

  it('sets and expires through every resolver', () => {
    const res = new FakeResponse();
    composite.set(res, 'tok');
    assert.equal(res.getHeader('x-auth-token'), 'tok');
    assert.match((res.getHeader('set-cookie') as string[])[0] as string, /^SESSION=tok;/);
  });
});
