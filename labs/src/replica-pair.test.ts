import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AFFINITY_COOKIE, upstreamConfig } from './replica-pair.js';

describe('upstreamConfig', () => {
  it('sticky: hashes the affinity cookie, consistently, over both replicas', () => {
    const conf = upstreamConfig('sticky', [4001, 4002]);
    assert.match(conf, new RegExp(`^\\s*hash \\$cookie_${AFFINITY_COOKIE} consistent;$`, 'm'));
    assert.match(conf, /server 127\.0\.0\.1:4001 max_fails=0;/);
    assert.match(conf, /server 127\.0\.0\.1:4002 max_fails=0;/);
  });

  it('round-robin: no affinity directive at all, like the platform', () => {
    const conf = upstreamConfig('round-robin', [4001, 4002]);
    assert.doesNotMatch(conf, /^\s*(hash|ip_hash|sticky)/m);
    assert.match(conf, /zone lab_replicas/);
  });
});
