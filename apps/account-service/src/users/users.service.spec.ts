import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_USERS } from './demo-users.js';
import { PasswordHash } from './password-hash.js';
import { UsersService } from './users.service.js';

describe('UsersService', () => {
  const users = new UsersService(DEMO_USERS);

  test('the committed demo hashes are those of the README passwords', async () => {
    assert.deepEqual(await users.verify('alice', 'alice123'), {
      username: 'alice',
      displayName: 'Alice Liddell',
    });
    assert.deepEqual(await users.verify('bob', 'bob123'), {
      username: 'bob',
      displayName: 'Bob Builder',
    });
  });

  test('a wrong password, a swapped one and an unknown user are all undefined', async () => {
    assert.equal(await users.verify('alice', 'alice1234'), undefined);
    assert.equal(await users.verify('alice', 'bob123'), undefined);
    assert.equal(await users.verify('Alice', 'alice123'), undefined);
    assert.equal(await users.verify('mallory', 'alice123'), undefined);
    assert.equal(await users.verify('__proto__', ''), undefined);
  });

  test('the answer never carries the password hash', async () => {
    const user = await users.verify('alice', 'alice123');
    assert.deepEqual(Object.keys(user ?? {}).sort(), ['displayName', 'username']);
  });

  test("an unknown username still runs a full scrypt, at the known users' cost", async (t) => {
    // Behaviour, not timing: count the scrypt checks and compare their cost parameters.
    const matches = t.mock.method(PasswordHash.prototype, 'matches');
    await users.verify('alice', 'wrong password');
    await users.verify('nobody-by-this-name', 'wrong password');
    assert.equal(matches.mock.callCount(), 2, 'one scrypt check per login attempt, known or not');
    const [known, unknown] = matches.mock.calls.map((call) => (call.this as PasswordHash).params);
    assert.deepEqual(unknown, known);
  });

  test('the unknown-user check uses the configured cost', async () => {
    const cheap = new UsersService([
      {
        username: 'carol',
        displayName: 'Carol',
        passwordHash: (await PasswordHash.create('pw', { N: 1024, r: 8, p: 1 })).toString(),
      },
    ]);
    assert.equal((await cheap.verify('carol', 'pw'))?.username, 'carol');
    assert.equal(await cheap.verify('dave', 'pw'), undefined);
  });

  test('refuses a list with one username twice, or a bad hash', () => {
    assert.throws(
      () => new UsersService([...DEMO_USERS, DEMO_USERS[0]!]),
      /Duplicate username "alice"/,
    );
    assert.throws(
      () => new UsersService([{ username: 'x', displayName: 'X', passwordHash: 'plain' }]),
      /scrypt\$N\$r\$p\$salt\$hash/,
    );
  });
});
