import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServiceReady, parseComposePs } from './ps.js';

describe('parseComposePs', () => {
  it('reads the JSON array of compose < 2.21', () => {
    const services = parseComposePs('[{"Service":"valkey","State":"running","Health":"healthy"}]');
    assert.deepEqual(
      services.map((service) => service.Service),
      ['valkey'],
    );
  });

  it('reads the one-object-per-line output of compose >= 2.21', () => {
    const output =
      '{"Service":"cart-1","State":"running"}\n{"Service":"cart-2","State":"exited"}\n';
    assert.deepEqual(
      parseComposePs(output).map((service) => service.State),
      ['running', 'exited'],
    );
  });

  it('reads no output as no services', () => {
    assert.deepEqual(parseComposePs('  \n'), []);
  });
});

describe('isServiceReady', () => {
  it('needs running, and healthy when there is a healthcheck', () => {
    assert.equal(isServiceReady({ Service: 'a', State: 'running', Health: 'healthy' }), true);
    assert.equal(isServiceReady({ Service: 'a', State: 'running', Health: '' }), true);
    assert.equal(isServiceReady({ Service: 'a', State: 'running', Health: 'starting' }), false);
    assert.equal(isServiceReady({ Service: 'a', State: 'exited' }), false);
    assert.equal(isServiceReady(undefined), false);
  });
});
