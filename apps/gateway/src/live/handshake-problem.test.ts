import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handshakeProblem } from './handshake-problem.js';

const VALID = { 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };

describe('handshakeProblem', () => {
  it('accepts the RFC 6455 example handshake', () => {
    assert.equal(handshakeProblem({ method: 'GET', headers: VALID }), undefined);
  });

  it('names the method, the version or the key that is wrong', () => {
    assert.match(handshakeProblem({ method: 'POST', headers: VALID }) ?? '', /GET, not POST/);
    for (const version of [undefined, '8', '13, 8', '']) {
      const headers = { ...VALID, 'sec-websocket-version': version };
      assert.match(handshakeProblem({ method: 'GET', headers }) ?? '', /Sec-WebSocket-Version/);
    }
    for (const key of [undefined, '', 'dGhl', 'not base64 at all, no!', '='.repeat(24)]) {
      const headers = { ...VALID, 'sec-websocket-key': key };
      assert.match(handshakeProblem({ method: 'GET', headers }) ?? '', /Sec-WebSocket-Key/);
    }
  });
});
