import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '@baton/service-kit';
import { gatewayEnvSchema } from './config.js';

const valid = {
  INSTANCE_ID: 'gateway-1',
  PORT: '3000',
  CART_URL: 'http://127.0.0.1:8081',
  ACCOUNT_URL: 'http://127.0.0.1:8082',
};

describe('gateway configuration', () => {
  it('reads the upstreams and defaults the timeout', () => {
    const config = loadConfig(gatewayEnvSchema, valid);
    assert.equal(config.CART_URL, 'http://127.0.0.1:8081');
    assert.equal(config.ACCOUNT_URL, 'http://127.0.0.1:8082');
    assert.equal(config.UPSTREAM_TIMEOUT_MS, 10_000);
    assert.equal(config.COOKIE_SECURE, true);
  });

  const cases: [string, string | undefined, string][] = [
    ['CART_URL', undefined, 'is required'],
    ['CART_URL', 'not a url', 'must be an http:// or https:// URL'],
    ['ACCOUNT_URL', 'ftp://127.0.0.1:21', 'must be an http:// or https:// URL'],
    ['UPSTREAM_TIMEOUT_MS', 'soon', ''],
  ];
  for (const [name, value, problem] of cases) {
    const env: NodeJS.ProcessEnv = { ...valid, [name]: value };
    it(`names ${name} when it is ${value ?? 'missing'}`, () => {
      assert.throws(
        () => loadConfig(gatewayEnvSchema, env),
        (err: unknown) => err instanceof ConfigError && err.message.includes(`${name}: ${problem}`),
      );
    });
  }
});
