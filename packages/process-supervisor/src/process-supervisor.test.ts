import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readStat } from './proc-stat.js';
import { ProcessSupervisor } from './process-supervisor.js';

const dir = mkdtempSync(join(tmpdir(), 'process-supervisor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sleeper = (name: string, logFile = join(dir, `${name}.log`)) => ({
  name,
  command: 'sh',
  // A child of its own (like nginx's workers), so the group kill has something to reach.
  args: ['-c', 'echo started; sleep 30 & wait'],
  env: { PATH: process.env.PATH ?? '' },
  cwd: dir,
  logFile,
  stopSignal: 'SIGTERM' as const,
});

describe('ProcessSupervisor', () => {
  it('starts a process in its own group, logging to its file, and stops it and its children', async () => {
    const supervisor = new ProcessSupervisor();
    const proc = await supervisor.start(sleeper('one'));
    assert.equal(readStat(proc.pid)?.pgid, proc.pid);
    await new Promise((r) => setTimeout(r, 200));
    const pids = supervisor.pidsOf(proc);
    assert.ok(pids.length >= 2, `sh and its sleep: ${pids.join(', ')}`);
    await supervisor.stopAll();
    assert.equal(proc.exited, true);
    await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids) assert.notEqual(readStat(pid)?.state ?? 'gone', 'S', `pid ${pid}`);
    const log = readFileSync(join(dir, 'one.log'), 'utf8');
    assert.match(log, /^--- \S+ sh -c /);
    assert.match(log, /started/);
  });

  it('rejects when the program does not exist, and records nothing', async () => {
    const supervisor = new ProcessSupervisor();
    await assert.rejects(supervisor.start({ ...sleeper('none'), command: 'no-such-program-x' }));
    supervisor.killAllNow();
  });
});
