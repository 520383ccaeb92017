import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';
import { MAX_USER_AGENT_LENGTH, clientInfoOf } from './client-info.js';

const request = (headers: IncomingHttpHeaders, remoteAddress = '127.0.0.1') =>
  ({ headers, socket: { remoteAddress } }) as Parameters<typeof clientInfoOf>[0];

describe('clientInfoOf', () => {
  test('takes the first X-Forwarded-For entry, the address the edge saw', () => {
    const info = clientInfoOf(
      request({ 'x-forwarded-for': '203.0.113.7, 127.0.0.1, 127.0.0.1', 'user-agent': 'curl/8' }),
    );
    assert.deepEqual(info, { userAgent: 'curl/8', ip: '203.0.113.7' });
  });

  test('falls back to the peer address, without the IPv4-mapped prefix', () => {
    assert.equal(clientInfoOf(request({}, '::ffff:10.1.2.3')).ip, '10.1.2.3');
    assert.equal(clientInfoOf(request({}, '::1')).ip, '::1');
  });

  test('drops an entry that is not an IP address instead of storing it', () => {
    const info = clientInfoOf(request({ 'x-forwarded-for': '<script>, 10.0.0.1' }));
    assert.equal(info.ip, undefined);
  });

  test('bounds the user agent and strips control characters; none when absent', () => {
    const long = clientInfoOf(request({ 'user-agent': `A\u0000B\u001b${'x'.repeat(1000)}` }));
    assert.equal(long.userAgent?.length, MAX_USER_AGENT_LENGTH);
    assert.ok(long.userAgent?.startsWith('ABx'));
    assert.equal(clientInfoOf(request({})).userAgent, undefined);
  });
});
