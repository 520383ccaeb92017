import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { webRoot } from '@baton/web';
import { gatewayRig } from './gateway-rig.js';
import { request } from './harness.js';

describe('the shop UI', () => {
  it('is built: index.html, app.js and styles.css exist and index.html loads app.js', () => {
    for (const file of ['index.html', 'app.js', 'styles.css']) {
      assert.ok(existsSync(join(webRoot, file)), `${file} missing from ${webRoot}`);
    }
    const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
    assert.match(html, /<script type="module" src="app\.js\?v=[0-9a-f]{12}"><\/script>/);
    assert.match(html, /href="styles\.css\?v=[0-9a-f]{12}"/);
    assert.match(readFileSync(join(webRoot, 'app.js'), 'utf8'), /X-Served-By/);
  });

  describe('served by the gateway', () => {
    const rig = gatewayRig();

    it('GET / answers the page, revalidated on every load, with a strict CSP', async () => {
      const res = await request(rig.gateway.url, 'GET', '/');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /<title>Baton shop<\/title>/);
      assert.match(res.body, /src="app\.js\?v=/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
      assert.equal(res.headers['x-served-by'], 'gateway-1');
    });

    it('serves versioned assets with a year of caching, unversioned ones revalidated', async () => {
      const html = (await request(rig.gateway.url, 'GET', '/')).body;
      const script = /src="(app\.js\?v=[0-9a-f]+)"/.exec(html)?.[1];
      assert.ok(script);
      const versioned = await request(rig.gateway.url, 'GET', `/${script}`);
      assert.equal(versioned.status, 200);
      assert.match(String(versioned.headers['content-type']), /javascript/);
      assert.equal(versioned.headers['cache-control'], 'public, max-age=31536000, immutable');
      const plain = await request(rig.gateway.url, 'GET', '/styles.css');
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['cache-control'], 'no-cache');
    });
  });
});
