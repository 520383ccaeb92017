import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ValkeySentinelGroup } from './valkey-sentinel-group.js';

const run = promisify(execFile);

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('valkey-cli', ['-p', String(port), ...args]);
  return stdout.trim();
}

describe('ValkeySentinelGroup', () => {
  it('fails over to the replica when the primary is SIGKILLed, then leaves no process behind', async () => {
    const group = await ValkeySentinelGroup.start();
    const pids = [group.primary.pid, group.replica.pid] as number[];
    const oldPrimary = group.primary.port;
    try {
      assert.equal(group.sentinels.length, 3);
      assert.match(group.sentinelList, /^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
      const named = await cli(
        group.sentinels[0]!.port,
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        'baton',
      );
      assert.equal(named.split('\n')[1], String(oldPrimary));
      assert.equal(await cli(oldPrimary, 'SET', 'k', 'v'), 'OK');
      assert.equal(await cli(oldPrimary, 'WAIT', '1', '2000'), '1', 'the replica acknowledges');

      const report = await group.killPrimary();
      console.log(
        `failover: primary ${report.killedPort} -> ${report.newPrimaryPort} in ${report.promotedAfterMs} ms`,
      );
      assert.equal(report.killedPort, oldPrimary);
      assert.equal(report.newPrimaryPort, group.primary.port);
      assert.notEqual(group.primary.port, oldPrimary);
      assert.equal(await cli(group.primary.port, 'GET', 'k'), 'v', 'the replicated write survived');
      assert.equal(
        await cli(group.primary.port, 'SET', 'k2', 'v2'),
        'OK',
        'the new primary takes writes',
      );
    } finally {
      await group.dispose();
    }
    for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `pid ${pid} is gone`);
    for (const { port } of group.sentinels) {
      await assert.rejects(
        cli(port, 'PING').then((out) => (out === 'PONG' ? out : Promise.reject(new Error(out)))),
      );
    }
  });
});
