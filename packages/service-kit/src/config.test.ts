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

  it('reports build dev unless BUILD_VERSION names one, and refuses one with spaces or slashes', () => {
    const env = { INSTANCE_ID: 'cart-1', PORT: '3000' };
    assert.equal(loadConfig(serviceEnvSchema, env).BUILD_VERSION, 'dev');
    assert.equal(loadConfig(serviceEnvSchema, { ...env, BUILD_VERSION: '' }).BUILD_VERSION, 'dev');
    for (const version of ['v2', '3fc6d88-dirty', '1.4.0+build.7', 'a'.repeat(64)]) {
      assert.equal(
        loadConfig(serviceEnvSchema, { ...env, BUILD_VERSION: version }).BUILD_VERSION,
        version,
      );
    }
    for (const version of ['v 2', 'a/b', 'a'.repeat(65)]) {
      assert.throws(
        () => loadConfig(serviceEnvSchema, { ...env, BUILD_VERSION: version }),
        /BUILD_VERSION/,
      );
    }
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

  it('leaves the session near cache off unless SESSION_NEAR_CACHE says true', () => {
    const env = { INSTANCE_ID: 'cart-1', PORT: '3000' };
    assert.equal(loadConfig(serviceEnvSchema, env).SESSION_NEAR_CACHE, false);
    assert.equal(
      loadConfig(serviceEnvSchema, { ...env, SESSION_NEAR_CACHE: 'true' }).SESSION_NEAR_CACHE,
      true,
    );
    assert.throws(
      () => loadConfig(serviceEnvSchema, { ...env, SESSION_NEAR_CACHE: 'yes' }),
      /SESSION_NEAR_CACHE/,
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
  it('reads the sentinels as host:port pairs and names VALKEY_SENTINELS when one is malformed', () => {
    const env = { INSTANCE_ID: 'cart-1', PORT: '3000' };
    const config = loadConfig(serviceEnvSchema, {
      ...env,
      VALKEY_SENTINELS: '127.0.0.1:26379,valkey-sentinel-2:26380',
    });
    assert.deepEqual(config.VALKEY_SENTINELS, [
      { host: '127.0.0.1', port: 26379 },
      { host: 'valkey-sentinel-2', port: 26380 },
    ]);
    assert.equal(config.VALKEY_SENTINEL_NAME, 'baton');
    assert.equal(loadConfig(serviceEnvSchema, env).VALKEY_SENTINELS, undefined);
    assert.equal(
      loadConfig(serviceEnvSchema, { ...env, VALKEY_SENTINELS: '' }).VALKEY_SENTINELS,
      undefined,
      'empty (compose passes ${VALKEY_SENTINELS:-}) means not set',
    );
    for (const bad of ['127.0.0.1', '127.0.0.1:26379,', 'h:0', 'h:70000']) {
      assert.throws(
        () => loadConfig(serviceEnvSchema, { ...env, VALKEY_SENTINELS: bad }),
        /VALKEY_SENTINELS/,
        bad,
      );
    }
    assert.throws(
      () => loadConfig(serviceEnvSchema, { ...env, VALKEY_SENTINEL_NAME: 'a b' }),
      /VALKEY_SENTINEL_NAME/,
    );
  });
  it('reads the cluster nodes as host:port pairs and names VALKEY_CLUSTER_NODES when one is malformed', () => {
    const env = { INSTANCE_ID: 'cart-1', PORT: '3000' };
    const config = loadConfig(serviceEnvSchema, {
      ...env,
      VALKEY_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001,valkey-node-3:7002',
    });
    assert.deepEqual(config.VALKEY_CLUSTER_NODES, [
      { host: '127.0.0.1', port: 7000 },
      { host: '127.0.0.1', port: 7001 },
      { host: 'valkey-node-3', port: 7002 },
    ]);
    assert.equal(loadConfig(serviceEnvSchema, env).VALKEY_CLUSTER_NODES, undefined);
    assert.equal(
      loadConfig(serviceEnvSchema, { ...env, VALKEY_CLUSTER_NODES: '' }).VALKEY_CLUSTER_NODES,
      undefined,
      'empty (compose) means not set',
    );
    for (const bad of ['127.0.0.1', '127.0.0.1:7000,', 'h:0', 'h:70000', ' h:1']) {
      assert.throws(
        () => loadConfig(serviceEnvSchema, { ...env, VALKEY_CLUSTER_NODES: bad }),
        /VALKEY_CLUSTER_NODES/,
        bad,
      );
    }
  });
});

describe('loadConfig: Valkey access and keep-alive', () => {
  const env = { INSTANCE_ID: 'cart-1', PORT: '3000' };

  it('defaults: no ACL user, CONFIG allowed (auto), Node keeps idle connections 65 s', () => {
    const config = loadConfig(serviceEnvSchema, env);
    assert.equal(config.REDIS_USERNAME, undefined);
    assert.equal(config.VALKEY_CONFIGURE_ACTION, 'auto');
    assert.equal(config.HTTP_KEEP_ALIVE_TIMEOUT_MS, 65_000);
  });

  it('names the variable of a bad ACL user, CA file, configure action or keep-alive', () => {
    for (const [name, value] of [
      ['REDIS_USERNAME', 'baton user'],
      ['VALKEY_TLS_CA_FILE', '/nonexistent/ca.pem'],
      ['VALKEY_CONFIGURE_ACTION', 'sometimes'],
      ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '10'],
    ] as const) {
      assert.throws(
        () => loadConfig(serviceEnvSchema, { ...env, [name]: value }),
        (err: unknown) => err instanceof ConfigError && err.message.includes(name),
        name,
      );
    }
  });
});
