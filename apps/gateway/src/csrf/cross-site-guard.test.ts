import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossSiteReason, crossSiteUpgradeReason } from './cross-site-guard.js';

describe('crossSiteReason', () => {
  it('never checks safe methods', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const headers = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
      assert.equal(crossSiteReason(method, { host: 'shop.example', ...headers }), undefined);
    }
  });

  it('passes unsafe requests without Origin or Sec-Fetch-Site (curl, API clients)', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      assert.equal(crossSiteReason(method, { host: 'shop.example' }), undefined);
    }
  });

  it('refuses Sec-Fetch-Site cross-site and same-site, passes same-origin and none', () => {
    const host = 'shop.example';
    assert.match(
      String(crossSiteReason('POST', { host, 'sec-fetch-site': 'cross-site' })),
      /cross-site/,
    );
    assert.match(
      String(crossSiteReason('POST', { host, 'sec-fetch-site': 'same-site' })),
      /same-site/,
    );
    assert.equal(crossSiteReason('POST', { host, 'sec-fetch-site': 'same-origin' }), undefined);
    assert.equal(crossSiteReason('POST', { host, 'sec-fetch-site': 'none' }), undefined);
  });

  it('refuses an Origin whose host is not the request host', () => {
    const reason = crossSiteReason('DELETE', {
      host: 'shop.example',
      origin: 'https://evil.example',
    });
    assert.match(String(reason), /evil\.example/);
  });

  it('prefers X-Forwarded-Host (the edge) over Host, taking its first entry', () => {
    const headers = { host: '127.0.0.1:3001', 'x-forwarded-host': 'shop.example, internal' };
    assert.equal(
      crossSiteReason('POST', { ...headers, origin: 'https://shop.example' }),
      undefined,
    );
    assert.ok(crossSiteReason('POST', { ...headers, origin: 'http://127.0.0.1:3001' }));
  });

  it('compares ports when the request host has one, hostnames when it has none', () => {
    assert.equal(
      crossSiteReason('POST', { host: 'localhost:8080', origin: 'http://localhost:8080' }),
      undefined,
    );
    assert.ok(crossSiteReason('POST', { host: 'localhost:8080', origin: 'http://localhost:3000' }));
    // nginx's $host drops the port: only the hostname is known.
    assert.equal(
      crossSiteReason('POST', { host: 'localhost', origin: 'http://localhost:8080' }),
      undefined,
    );
    assert.ok(
      crossSiteReason('POST', { host: 'localhost', origin: 'http://evil.localhost.example' }),
    );
  });

  it('refuses opaque and non-web origins', () => {
    assert.ok(crossSiteReason('POST', { host: 'shop.example', origin: 'null' }));
    assert.ok(crossSiteReason('POST', { host: 'shop.example', origin: 'file://shop.example' }));
  });

  it('compares case-insensitively', () => {
    assert.equal(
      crossSiteReason('post', { host: 'Shop.Example', origin: 'https://shop.example' }),
      undefined,
    );
  });
});

describe('crossSiteUpgradeReason (WebSocket handshakes, which are GETs)', () => {
  it('applies the unsafe-request rules although the method is GET', () => {
    const host = 'shop.example';
    assert.match(String(crossSiteUpgradeReason({ host, origin: 'https://evil.example' })), /evil/);
    assert.match(
      String(crossSiteUpgradeReason({ host, 'sec-fetch-site': 'same-site' })),
      /same-site/,
    );
    assert.match(String(crossSiteUpgradeReason({ host, origin: 'null' })), /opaque/);
    assert.equal(crossSiteUpgradeReason({ host, origin: 'https://shop.example' }), undefined);
    assert.equal(crossSiteUpgradeReason({ host }), undefined, 'API clients send no Origin');
  });
});
