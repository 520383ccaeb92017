import assert from 'node:assert/strict';
import net, { type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultLink } from './fault-link.js';
import { HELD_BYTES_HIGH_WATER } from './paced-pipe.js';

/** A real TCP server on 127.0.0.1 that writes back whatever it reads. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  server.on('close', () => sockets.forEach((socket) => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

/** A client connection that collects what it receives and how it ended. */
async function connect(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  const received: Buffer[] = [];
  const ended = { error: null as NodeJS.ErrnoException | null, closed: false };
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', (error: NodeJS.ErrnoException) => (ended.error = error));
  socket.on('close', () => (ended.closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const bytes = () => Buffer.concat(received).length;
  const text = () => Buffer.concat(received).toString('utf8');
  return { socket, received, ended, bytes, text };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('FaultLink against a real TCP echo server', () => {
  let echo: { server: Server; port: number };
  let link: FaultLink;
  const open: Socket[] = [];

  before(async () => {
    echo = await echoServer();
    link = await FaultLink.open(0, { host: '127.0.0.1', port: echo.port });
  });
  after(async () => {
    for (const socket of open) socket.destroy();
    await link.close();
    const closed = new Promise<void>((resolve) => echo.server.close(() => resolve()));
    echo.server.emit('close');
    await closed;
  });

  it('pass: forwards both ways', async () => {
    link.setFault({ mode: 'pass' });
    const client = await connect(link.port);
    open.push(client.socket);
    client.socket.write('hello');
    await until(() => client.text() === 'hello');
    assert.equal(link.stats().connections, 1);
  });

  it('latency: an exchange takes at least the added milliseconds, in order', async () => {
    link.setFault({ mode: 'latency', ms: 150 });
    const client = await connect(link.port);
    open.push(client.socket);
    const started = Date.now();
    for (const word of ['a', 'b', 'c']) client.socket.write(word);
    await until(() => client.text() === 'abc');
    assert.ok(Date.now() - started >= 145, `echo came back after ${Date.now() - started} ms`);
  });

  it('stall: holds the bytes and keeps the connection open, delivers them on heal', async () => {
    link.setFault({ mode: 'pass' });
    const client = await connect(link.port);
    open.push(client.socket);
    link.setFault({ mode: 'stall' });
    client.socket.write('held');
    await sleep(300);
    assert.equal(client.bytes(), 0, 'nothing forwarded while stalled');
    assert.equal(client.ended.closed, false, 'connection still open');
    assert.equal(link.stats().heldBytes, 4);
    // A new connection is accepted too, and gets nothing either.
    const late = await connect(link.port);
    open.push(late.socket);
    late.socket.write('late');
    await sleep(100);
    assert.equal(late.bytes(), 0);
    link.setFault({ mode: 'pass' });
    await until(() => client.text() === 'held' && late.text() === 'late');
    assert.equal(link.stats().heldBytes, 0);
  });

  it('stall: a sender that keeps writing is paused near the high-water mark', async () => {
    link.setFault({ mode: 'stall' });
    const client = await connect(link.port);
    open.push(client.socket);
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 64; i++) client.socket.write(chunk); // 4 MiB
    await sleep(500);
    const held = link.stats().heldBytes;
    assert.ok(held > 0 && held <= HELD_BYTES_HIGH_WATER + chunk.length, `held ${held} bytes`);
    link.setFault({ mode: 'pass' });
    await until(() => client.bytes() === 64 * chunk.length, 10_000);
  });

  it('reset: resets open connections and every new one until healed', async () => {
    link.setFault({ mode: 'pass' });
    const client = await connect(link.port);
    open.push(client.socket);
    const resetsBefore = link.stats().resets;
    link.setFault({ mode: 'reset' });
    await until(() => client.ended.closed);
    assert.equal(client.ended.error?.code, 'ECONNRESET');
    // A new connection is reset on accept: the client may see it while connecting or just after.
    const refused = net.connect({ host: '127.0.0.1', port: link.port });
    const outcome = await new Promise<string>((resolve) => {
      refused.on('data', () => resolve('data'));
      refused.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      refused.on('connect', () => refused.write('x'));
    });
    assert.equal(outcome, 'ECONNRESET');
    assert.ok(link.stats().resets >= resetsBefore + 2);
    link.setFault({ mode: 'pass' });
    const healed = await connect(link.port);
    open.push(healed.socket);
    healed.socket.write('back');
    await until(() => healed.text() === 'back');
  });

  it('bandwidth: 8 kB at 16 kB/s take at least half a second', async () => {
    link.setFault({ mode: 'bandwidth', bytesPerSecond: 16 * 1024 });
    const client = await connect(link.port);
    open.push(client.socket);
    const started = Date.now();
    client.socket.write(Buffer.alloc(8 * 1024, 2));
    await until(() => client.bytes() === 8 * 1024);
    assert.ok(Date.now() - started >= 450, `8 kB echoed after ${Date.now() - started} ms`);
  });

  it('a refused target resets the client, which is what it would see without the proxy', async () => {
    const dead = await FaultLink.open(0, { host: '127.0.0.1', port: 1 });
    try {
      const client = await connect(dead.port);
      await until(() => client.ended.closed);
      assert.equal(dead.stats().connections, 0);
    } finally {
      await dead.close();
    }
  });
});
