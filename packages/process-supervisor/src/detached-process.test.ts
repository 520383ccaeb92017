import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  isRunning,
  killGroup,
  signalProcess,
  spawnDetached,
  waitForExit,
} from './detached-process.js';

const dir = mkdtempSync(join(tmpdir(), 'detached-process-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a detached process, known by PID, start time and command line', () => {
  const start = () =>
    spawnDetached({
      command: 'sleep',
      args: ['31.5'],
      env: { PATH: process.env.PATH ?? '' },
      cwd: dir,
      logFile: join(dir, 'sleep.log'),
      signature: '31.5',
    });

  it('is running until signalled, then gone', async () => {
    const record = await start();
    assert.ok(record.startTime !== '');
    assert.equal(isRunning(record), true);
    assert.equal(signalProcess(record, 'SIGTERM'), true);
    assert.equal(await waitForExit(record, 5_000), true);
    assert.equal(isRunning(record), false);
    assert.equal(signalProcess(record, 'SIGTERM'), false, 'a gone process is never signalled');
  });

  it('is not the same process when the start time or the command line differ', async () => {
    const record = await start();
    assert.equal(isRunning({ ...record, startTime: '1' }), false);
    assert.equal(isRunning({ ...record, signature: 'valkey-server' }), false);
    killGroup(record);
    assert.equal(await waitForExit(record, 5_000), true);
  });
});
