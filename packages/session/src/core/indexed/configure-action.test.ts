import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigureValkeyAction, withKeyspaceEvents } from './configure-action.js';

describe('withKeyspaceEvents', () => {
  it('adds only the missing flags and keeps the ones somebody else set', () => {
    assert.equal(withKeyspaceEvents('', 'Egx'), 'Egx');
    assert.equal(withKeyspaceEvents('Kh', 'Egx'), 'KhEgx');
    assert.equal(withKeyspaceEvents('gxE', 'Egx'), 'gxE', 'already there: unchanged');
    assert.equal(withKeyspaceEvents('xE', 'Egx'), 'xEg');
  });

  it('knows that A already covers g and x', () => {
    assert.equal(withKeyspaceEvents('AK', 'Egx'), 'AKE');
    assert.equal(withKeyspaceEvents('AKE', 'Egx'), 'AKE');
  });
});

describe('ConfigureValkeyAction.NO_OP', () => {
  it('never touches the client', async () => {
    const untouchable = new Proxy({} as never, {
      get() {
        throw new Error('NO_OP must not use the client');
      },
    });
    await ConfigureValkeyAction.NO_OP.configure(untouchable);
  });
});
