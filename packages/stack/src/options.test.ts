import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveStackOptions } from './options.js';

describe('resolveStackOptions', () => {
  it('defaults to the public ports, <root>/.stack and plain-HTTP cookies', () => {
    const options = resolveStackOptions({ root: '/repo', processEnv: {} });
    assert.equal(options.driver, 'local');
    assert.equal(options.edgePort, 8080);
    assert.equal(options.valkeyPort, 6379);
    assert.equal(options.stateDir, path.resolve('/repo/.stack'));
    assert.deepEqual(options.env, { COOKIE_SECURE: 'false' });
  });

  it('reads EDGE_PORT, VALKEY_PORT, BATON_STACK_DIR and the pass-through variables', () => {
    const options = resolveStackOptions({
      root: '/repo',
      processEnv: {
        EDGE_PORT: '18080',
        VALKEY_PORT: '16379',
        BATON_STACK_DIR: '/tmp/stack',
        COOKIE_SECURE: 'true',
        LOG_LEVEL: 'debug',
        SESSION_MAX_INACTIVE_SECONDS: '60',
        UNRELATED: 'x',
      },
    });
    assert.equal(options.edgePort, 18080);
    assert.equal(options.valkeyPort, 16379);
    assert.equal(options.stateDir, '/tmp/stack');
    assert.deepEqual(options.env, {
      COOKIE_SECURE: 'true',
      LOG_LEVEL: 'debug',
      SESSION_MAX_INACTIVE_SECONDS: '60',
    });
  });

  it('lets explicit options win over the environment', () => {
    const options = resolveStackOptions({
      root: '/repo',
      edgePort: 1234,
      env: { COOKIE_SECURE: 'true', EXTRA: '1' },
      processEnv: { EDGE_PORT: '18080' },
    });
    assert.equal(options.edgePort, 1234);
    assert.deepEqual(options.env, { COOKIE_SECURE: 'true', EXTRA: '1' });
  });

  it('rejects a port that is not a port, naming the variable', () => {
    assert.throws(
      () => resolveStackOptions({ root: '/repo', processEnv: { VALKEY_PORT: '70000' } }),
      (error: Error & { code?: string }) =>
        error.code === 'STACK_OPTIONS_INVALID' && /VALKEY_PORT/.test(error.message),
    );
  });
  it('takes the topology from the option, else BATON_TOPOLOGY, and names a bad one', () => {
    assert.equal(resolveStackOptions({ root: '/repo', processEnv: {} }).topology, 'standalone');
    const env = { BATON_TOPOLOGY: 'sentinel' };
    assert.equal(resolveStackOptions({ root: '/repo', processEnv: env }).topology, 'sentinel');
    assert.throws(
      () => resolveStackOptions({ root: '/repo', processEnv: { BATON_TOPOLOGY: 'ring' } }),
      /topology must be one of .*sentinel.*, not "ring"/,
    );
  });
});
