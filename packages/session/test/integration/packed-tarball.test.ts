import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { type ValkeyProcess, freePort } from '@baton/valkey-testing';
import { startValkey } from './harness.js';

const run = promisify(execFile);

/**
 * The environment without what `npm test -w …` sets for its scripts (npm_config_workspace and
 * the like), which would make the adopter's `npm install` act on this repository's workspace.
 */
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
);
/** packages/session, whether this runs from src or from dist/test/integration. */
const PACKAGE_DIR = new URL(
  import.meta.url.includes('/dist/') ? '../../../' : '../../',
  import.meta.url,
).pathname;
const REPO_ROOT = join(PACKAGE_DIR, '../..');

/** The README's express-session example, verbatim: the first js block after its heading. */
function readmeExample(): string {
  const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## express-session in ten lines'));
  const block = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the README has an express-session example');
  return block[1] as string;
}

/**
 * What a team outside this repository does: install the packed tarball into an empty project
 * next to express and express-session from the registry, paste the README's example, run it.
 */
describe('the packed tarball, installed outside the repository', { timeout: 300_000 }, () => {
  let valkey: ValkeyProcess;
  let admin: Redis;
  let project: string;
  let app: ChildProcess | undefined;
  before(async () => {
    ({ valkey, client: admin } = await startValkey());
    project = mkdtempSync(join(tmpdir(), 'baton-packed-'));
  });
  after(async () => {
    if (app?.pid && app.exitCode === null) {
      process.kill(app.pid, 'SIGTERM');
      await new Promise((r) => app?.once('exit', r));
    }
    admin.disconnect();
    await valkey.stop();
    rmSync(project, { recursive: true, force: true });
  });

  it('holds the built dist, types, README and LICENSE, and runs the README example', async () => {
    const { stdout } = await run(
      'npm',
      ['pack', '-w', '@baton/session', '--pack-destination', project, '--json'],
      { cwd: REPO_ROOT, env: cleanEnv },
    );
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    const files = packed?.files.map((f) => f.path) ?? [];
    for (const file of ['README.md', 'LICENSE', 'package.json'])
      assert.ok(files.includes(file), file);
    assert.ok(files.includes('dist/src/express-session/index.d.ts'));
    assert.ok(files.includes('dist/src/core/scripts/save-delta.lua'));
    assert.ok(
      !files.some((f) => f.includes('.test.') || f.startsWith('dist/test/')),
      'tests packed',
    );

    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'adopter', private: true, type: 'module' }),
    );
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        // The repository's own `npm ci` has cached these packages: use the cache before the
        // registry. Reaching the registry needs the host's CA bundle (NODE_EXTRA_CA_CERTS):
        // turbo passes it through (turbo.json), since its strict env mode drops it otherwise,
        // and npm then fails every fetch with SELF_SIGNED_CERT_IN_CHAIN and retries until the
        // timeout below, which looks like a hang. A stalled connection is given up after 30 s.
        '--prefer-offline',
        '--fetch-timeout=30000',
        '--fetch-retries=4',
        `./${packed?.filename}`,
        'express@^5',
        'express-session@^1',
      ],
      { cwd: project, env: cleanEnv, timeout: 240_000 },
    );
    const installed = join(project, 'node_modules/@baton/session');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      exports: Record<string, string | { types: string; default: string }>;
      private?: boolean;
    };
    assert.equal(manifest.private, undefined);
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const paths = typeof target === 'string' ? [target] : [target.types, target.default];
      for (const path of paths) assert.ok(existsSync(join(installed, path)), `${subpath}: ${path}`);
    }
    // The native adapters resolve from the installed package too (Nest needs @nestjs/*: not here).
    await run(
      'node',
      [
        '--input-type=module',
        '-e',
        "const core = await import('@baton/session'); const ex = await import('@baton/session/express');" +
          " if (typeof core.SessionManager !== 'function' || typeof ex.session !== 'function') process.exit(1);",
      ],
      { cwd: project, env: cleanEnv },
    );

    writeFileSync(join(project, 'app.js'), readmeExample());
    const port = await freePort();
    app = spawn('node', ['app.js'], {
      cwd: project,
      env: {
        ...process.env,
        PORT: String(port),
        VALKEY_URL: valkey.url,
        SESSION_SECRET: 'packed-test-secret',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    let first: Response | undefined;
    for (let i = 0; i < 100 && !first; i++) {
      first = await fetch(`${base}/visits`, { method: 'POST' }).catch(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return undefined;
      });
    }
    assert.ok(first, 'the example app did not start listening');
    assert.deepEqual(await first.json(), { visits: 1 });
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const second = await fetch(`${base}/visits`, { method: 'POST', headers: { cookie } });
    assert.deepEqual(await second.json(), { visits: 2 });
    const keys = await admin.keys('baton:express-session:sessions:*');
    assert.equal(keys.length, 1);
    assert.equal(await admin.hget(keys[0] as string, 'a:visits'), '2');
    console.log(
      `# packed ${packed?.filename} (${files.length} files), installed, README example answered visits 1, 2`,
    );
  });
});
