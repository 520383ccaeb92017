// infra/prometheus/baton.rules.yml, checked and unit-tested by promtool (Debian's prometheus
// package, which scripts/setup.sh installs): each alert fires on the series that should raise it
// and stays quiet on healthy ones (infra/prometheus/baton.rules.test.yml).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findExecutable } from '../src/local/binaries.js';

const RULES_DIR = fileURLToPath(new URL('../../../../infra/prometheus/', import.meta.url));
const run = promisify(execFile);

function promtool(): string {
  const found = findExecutable('promtool');
  assert.ok(
    found,
    'promtool not found — run ./scripts/setup.sh (Debian: apt-get install prometheus)',
  );
  return found;
}

it('promtool check rules: the rule file is valid', async () => {
  const { stdout } = await run(promtool(), ['check', 'rules', 'baton.rules.yml'], {
    cwd: RULES_DIR,
  });
  assert.match(stdout, /SUCCESS: \d+ rules found/);
  console.log(stdout.trim());
});

it('promtool test rules: store unavailable, commit errors, p99 over budget, replica not ready', async () => {
  const { stdout } = await run(promtool(), ['test', 'rules', 'baton.rules.test.yml'], {
    cwd: RULES_DIR,
  }).catch((err: { stdout?: string; stderr?: string }) => {
    assert.fail(`promtool test rules failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  });
  assert.match(stdout, /SUCCESS/);
  console.log(stdout.trim());
});
