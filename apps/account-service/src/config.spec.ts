import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '@baton/service-kit';
import { accountEnvSchema } from './config.js';
import { DEMO_USERS } from './users/demo-users.js';

const base = { INSTANCE_ID: 'account-1', PORT: '8081' };
const carol = {
  username: 'carol',
  displayName: 'Carol',
  passwordHash: DEMO_USERS[0]!.passwordHash,
};

/** The ConfigError's message for an environment, or fails when there is none. */
function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(accountEnvSchema, { ...base, ...env });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('account config', () => {
  test('without DEMO_USERS, the demo users are used (DEMO_USERS is undefined)', () => {
    const config = loadConfig(accountEnvSchema, base);
    assert.equal(config.DEMO_USERS, undefined);
    assert.equal(config.SESSION_NAMESPACE, 'myplatform:sessions');
  });

  test('MAX_SESSIONS_PER_USER defaults to 5 and must be a whole number from 1 to 1000', () => {
    assert.equal(loadConfig(accountEnvSchema, base).MAX_SESSIONS_PER_USER, 5);
    const two = loadConfig(accountEnvSchema, { ...base, MAX_SESSIONS_PER_USER: '2' });
    assert.equal(two.MAX_SESSIONS_PER_USER, 2);
    for (const bad of ['0', '-1', '2.5', 'many', '1001']) {
      assert.match(
        problemsOf({ MAX_SESSIONS_PER_USER: bad }),
        /MAX_SESSIONS_PER_USER: must be a whole number from 1 to 1000/,
        bad,
      );
    }
  });

  test('DEMO_USERS parses into user records', () => {
    const config = loadConfig(accountEnvSchema, { ...base, DEMO_USERS: JSON.stringify([carol]) });
    assert.deepEqual(config.DEMO_USERS, [carol]);
  });

  test('a bad DEMO_USERS is refused, naming the variable and what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['not json', /DEMO_USERS: must be JSON/],
      ['{}', /DEMO_USERS: must be a JSON array/],
      ['[]', /DEMO_USERS: must list at least one user/],
      [
        JSON.stringify([{ ...carol, passwordHash: 'carol123' }]),
        /DEMO_USERS\.0\.passwordHash: must look like scrypt/,
      ],
      [JSON.stringify([{ ...carol, username: 'has space' }]), /DEMO_USERS\.0\.username/],
      [
        JSON.stringify([{ username: 'carol', passwordHash: carol.passwordHash }]),
        /DEMO_USERS\.0\.displayName/,
      ],
      [JSON.stringify([carol, { ...carol, extra: 1 }]), /DEMO_USERS\.1/],
      [JSON.stringify([carol, carol]), /DEMO_USERS: usernames must be unique/],
    ];
    for (const [value, message] of cases)
      assert.match(problemsOf({ DEMO_USERS: value }), message, value);
  });

  test('main refuses to start with a bad DEMO_USERS, naming it, before touching Valkey', () => {
    const main = fileURLToPath(new URL('./main.js', import.meta.url));
    const run = spawnSync(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        ...base,
        VALKEY_URL: 'redis://127.0.0.1:1',
        DEMO_USERS: '[{"username":',
      },
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /DEMO_USERS: must be JSON/);
  });
});
