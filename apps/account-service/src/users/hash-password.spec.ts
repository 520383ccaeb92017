import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PasswordHash } from './password-hash.js';

const cli = fileURLToPath(new URL('./hash-password.js', import.meta.url));

describe('hash-password CLI', () => {
  test('prints a hash of the argument that verifies', async () => {
    const run = spawnSync(process.execPath, [cli, 's3cret pass'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const hash = PasswordHash.parse(run.stdout.trim());
    assert.equal(await hash.matches('s3cret pass'), true);
  });

  test('reads the password from stdin, without the trailing newline', async () => {
    const run = spawnSync(process.execPath, [cli], { input: 'piped\n', encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(await PasswordHash.parse(run.stdout.trim()).matches('piped'), true);
  });

  test('without a password, prints usage and exits 2', () => {
    const run = spawnSync(process.execPath, [cli], { input: '', encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /usage: node dist\/src\/users\/hash-password\.js/);
  });
});
