import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, serviceEnvSchema } from './config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(serviceEnvSchema, { INSTANCE_ID: 'cart-1', PORT: '3000' });
    assert.equal(config.VALKEY_URL, 'redis://127.0.0.1:6379');
    assert.equal(config.SESSION_NAMESPACE, 'myplatform:sessions');
    assert.equal(config.COOKIE_SECURE, true, 'secure unless explicitly opted out');
    assert.equal(config.SESSION_MAX_INACTIVE_SECONDS, 1800);
  });

  it('accepts the plain-HTTP opt-out only as an explicit false', () => {
    const env = { INSTANCE_ID: 'cart-1', PORT: '3000' };
    assert.equal(
      loadConfig(serviceEnvSchema, { ...env, COOKIE_SECURE: 'false' }).COOKIE_SECURE,
      false,
    );
    assert.throws(
      () => loadConfig(serviceEnvSchema, { ...env, COOKIE_SECURE: 'no' }),
      /COOKIE_SECURE/,
    );
  });

  it('names every bad variable in one error', () => {
    assert.throws(
      () =>
        loadConfig(serviceEnvSchema, {
          INSTANCE_ID: 'Cart 1',
          PORT: '99999',
          VALKEY_URL: 'http://x',
        }),
      (err: unknown) =>
        err instanceof ConfigError &&
        ['INSTANCE_ID', 'PORT', 'VALKEY_URL'].every((name) => err.message.includes(name)),
    );
  });
});
