import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { LABS, listing } from './catalog.js';

const main = fileURLToPath(new URL('./main.js', import.meta.url));

describe('the lab runner', () => {
  it('lists every lab on a line of its own, and starts nothing', () => {
    const run = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.split('\n');
    for (const lab of LABS) {
      assert.equal(lines.filter((line) => line.startsWith(`${lab.name} `)).length, 1, run.stdout);
    }
    assert.equal(listing().split('\n').length, LABS.length);
  });

  it('exits 2 on a name no lab has, and lists the ones there are', () => {
    const run = spawnSync(process.execPath, [main, 'no-such-lab'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no lab named "no-such-lab"/);
    assert.match(run.stderr, /sticky-kill/);
  });

  it('gives every lab a unique, kebab-case name and a one-line summary', () => {
    assert.equal(new Set(LABS.map((lab) => lab.name)).size, LABS.length);
    for (const lab of LABS) {
      assert.match(lab.name, /^[a-z]+(-[a-z]+)*$/);
      assert.doesNotMatch(lab.summary, /\n/);
    }
  });
});
