import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { ValkeyProcess } from './valkey-process.js';

/** One raw RESP round trip, so this test depends on nothing but the server. */
function send(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(command));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
}

describe('ValkeyProcess', () => {
  it('starts a real server, keeps AOF data across restart on the same port, and cleans up', async () => {
    const valkey = await ValkeyProcess.start({ appendOnly: true });
    const pid = valkey.pid as number;
    try {
      assert.match(valkey.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(await send(valkey.port, 'SET k v\r\n'), '+OK\r\n');
      await valkey.restart();
      assert.notEqual(valkey.pid, pid, 'a new process');
      assert.equal(await send(valkey.port, 'GET k\r\n'), '$1\r\nv\r\n');
    } finally {
      await valkey.dispose();
    }
    assert.throws(() => process.kill(pid, 0), 'the first process is gone');
    await assert.rejects(send(valkey.port, 'PING\r\n'), 'nothing listens any more');
    assert.equal(existsSync(`/proc/${pid}`), false);
  });
});
