import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { ValkeyProcess } from '@baton/valkey-testing';
import { createValkeyClient, sessionIdOf, waitUntilReady } from '../../../src/core/index.js';
import { BatonStore } from '../../../src/express-session/index.js';
import { RecordingLogger } from '../harness.js';
import type { StoreSubject } from './store-subject.js';

/** SIGSTOP / SIGCONT: Valkey keeps its sockets open and answers nothing, the worst kind of outage. */
function pauseOf(valkey: ValkeyProcess): StoreSubject['outage'] {
  return {
    begin: async () => void process.kill(valkey.pid as number, 'SIGSTOP'),
    end: async () => void process.kill(valkey.pid as number, 'SIGCONT'),
  };
}

/** Closes every client connection but the admin's own, as a restart or a blip would. */
function dropperOf(valkey: ValkeyProcess): () => Promise<void> {
  return async () => {
    const admin = new Redis(valkey.url);
    try {
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    } finally {
      admin.disconnect();
    }
  };
}

export async function batonSubject(): Promise<StoreSubject> {
  const valkey = await ValkeyProcess.start();
  const client = createValkeyClient({ url: valkey.url, commandTimeoutMs: 300 });
  await waitUntilReady(client);
  return {
    name: 'BatonStore',
    store: new BatonStore({ client, namespace: 'conformance', logger: new RecordingLogger() }),
    listedIdOf: sessionIdOf,
    outage: pauseOf(valkey),
    dropConnections: dropperOf(valkey),
    close: async () => {
      client.disconnect();
      await valkey.stop();
    },
  };
}

export async function memoryStoreSubject(): Promise<StoreSubject> {
  return {
    name: 'MemoryStore',
    store: new session.MemoryStore(),
    listedIdOf: (sid) => sid,
    close: async () => undefined,
  };
}

/** connect-redis as its README configures it: node-redis (v9+ speaks nothing else), defaults. */
export async function connectRedisSubject(): Promise<StoreSubject> {
  const valkey = await ValkeyProcess.start();
  const client = createClient({ url: valkey.url });
  client.on('error', () => undefined); // reconnects by itself
  await client.connect();
  return {
    name: 'connect-redis',
    store: new RedisStore({ client, prefix: 'conformance:' }),
    listedIdOf: (sid) => sid,
    outage: pauseOf(valkey),
    dropConnections: dropperOf(valkey),
    close: async () => {
      client.destroy();
      await valkey.stop();
    },
  };
}
