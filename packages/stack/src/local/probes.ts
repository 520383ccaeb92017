import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { VALKEY_ADMIN_USER } from './valkey-credentials.js';

/** One attempt at "is it ready?"; never throws, a failure is just `false`. */
export type Probe = () => Promise<boolean>;

const ATTEMPT_TIMEOUT_MS = 1_000;

/** GET http://127.0.0.1:<port><path> answers 200 (a fresh connection each time: no pooled socket survives). */
export function httpOk(port: number, path: string): Probe {
  return () =>
    new Promise((resolve) => {
      const request = http.get(
        { host: '127.0.0.1', port, path, agent: false, timeout: ATTEMPT_TIMEOUT_MS },
        (response) => {
          response.resume();
          resolve(response.statusCode === 200);
        },
      );
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(false));
    });
}

/** Something accepts a TCP connection on 127.0.0.1:<port>. */
export function tcpAccepts(port: number): Probe {
  return () =>
    new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port, timeout: ATTEMPT_TIMEOUT_MS });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('timeout', () => socket.destroy());
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
    });
}

/**
 * Valkey answers PING with +PONG. While it replays its AOF it answers -LOADING instead, so PONG
 * also means "loading done". Raw RESP over a socket: no client library for one command.
 *
 * With infra/valkey/users.acl the default user has a password (VALKEY_ADMIN_USER), so the probe
 * sends AUTH first and judges only the PING's reply: on a server without that password (bench,
 * sentinels) AUTH fails and PING still answers.
 */
export function valkeyPong(port: number): Probe {
  const auth = resp(['AUTH', VALKEY_ADMIN_USER.username, VALKEY_ADMIN_USER.password]);
  return () =>
    new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port, timeout: ATTEMPT_TIMEOUT_MS });
      let reply = '';
      socket.once('connect', () => socket.write(auth + resp(['PING'])));
      socket.on('data', (chunk) => {
        reply += chunk.toString('latin1');
        const lines = reply.split('\r\n');
        if (lines.length > 2) {
          socket.destroy();
          resolve(lines[1]!.startsWith('+PONG'));
        }
      });
      socket.once('timeout', () => socket.destroy());
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
    });
}

/** @private One command as a RESP array of bulk strings. */
function resp(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * Retries `probe` until it passes ('ready'), `alive` turns false ('exited': no point waiting for a
 * dead process) or the deadline passes ('timeout').
 */
export async function waitUntil(
  probe: Probe,
  alive: () => boolean,
  timeoutMs: number,
): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return 'ready';
    if (!alive()) return 'exited';
    if (Date.now() > deadline) return 'timeout';
    await sleep(100);
  }
}
