import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServiceReady, parseComposePs } from './ps.js';

describe('parseComposePs', () => {
  it('reads the JSON array of compose < 2.21', () => {
    const services = parseComposePs(
      '[{"Name":"baton-valkey-1","Service":"valkey","State":"running","Health":"healthy"}]',
    );
    assert.deepEqual(
      services.map((service) => service.Service),
      ['valkey'],
    );
  });

  it('reads the one-object-per-line output of compose >= 2.21', () => {
    const output =
      '{"Name":"baton-cart-1","Service":"cart","State":"running"}\n{"Name":"baton-cart-2","Service":"cart","State":"exited"}\n';
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
    assert.equal(
      isServiceReady({ Name: 'a-1', Service: 'a', State: 'running', Health: 'healthy' }),
      true,
    );
    assert.equal(isServiceReady({ Name: 'a-1', Service: 'a', State: 'running', Health: '' }), true);
    assert.equal(
      isServiceReady({ Name: 'a-1', Service: 'a', State: 'running', Health: 'starting' }),
      false,
    );
    assert.equal(isServiceReady({ Name: 'a-1', Service: 'a', State: 'exited' }), false);
    assert.equal(isServiceReady(undefined), false);
  });
});
