import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttributeSchemas, VERSION_KEY } from './attribute-schema.js';

const quiet = { warn: () => undefined };

/** Version 1: `{ lines }`. Version 2 adds `saved`. Version 3 (newer than both) adds `note`. */
const v1 = new AttributeSchemas({ cart: {} }, quiet);
const v2 = new AttributeSchemas(
  { cart: { version: 2, upcasters: { 1: (old) => ({ ...(old as object), saved: [] }) } } },
  quiet,
);

describe('AttributeSchemas', () => {
  it('upcasts an untagged (version 1) value on read and tags what version 2 writes', () => {
    assert.deepEqual(v2.decode('cart', { lines: ['apple'] }), {
      value: { lines: ['apple'], saved: [] },
      version: 1,
    });
    const stored = v2.encode('cart', { lines: ['apple'], saved: ['pear'] }, undefined);
    assert.equal(JSON.stringify(stored), '{"@v":2,"lines":["apple"],"saved":["pear"]}');
    assert.deepEqual(v2.decode('cart', stored), {
      value: { lines: ['apple'], saved: ['pear'] },
      version: 2,
    });
  });

  it('version 1 stores exactly what it was given: no tag, no byte more', () => {
    assert.equal(JSON.stringify(v1.encode('cart', { lines: [] }, undefined)), '{"lines":[]}');
    assert.deepEqual(v1.encode('cart', ['a'], undefined), ['a']);
  });

  it('an older replica keeps the newer fields it does not know, under the newer version', () => {
    const read = v1.decode('cart', { [VERSION_KEY]: 2, lines: ['apple'], saved: ['pear'] });
    assert.deepEqual(read, { value: { lines: ['apple'], saved: ['pear'] }, version: 2 });
    // What a v1 handler writes back: only the fields it knows (a strict parser dropped `saved`).
    const written = v1.encode('cart', { lines: ['apple', 'kiwi'] }, read);
    assert.deepEqual(written, { [VERSION_KEY]: 2, lines: ['apple', 'kiwi'], saved: ['pear'] });
  });

  it('a version newer than this replica knows is answered as stored, never refused', () => {
    const read = v2.decode('cart', { [VERSION_KEY]: 3, lines: [], saved: [], note: 'gift' });
    assert.deepEqual(read, { value: { lines: [], saved: [], note: 'gift' }, version: 3 });
    const written = v2.encode('cart', { lines: ['fig'], saved: [] }, read);
    assert.deepEqual(written, { [VERSION_KEY]: 3, lines: ['fig'], saved: [], note: 'gift' });
  });

  it('a same-version write replaces the value: a field the writer removed stays removed', () => {
    const read = v2.decode('cart', { [VERSION_KEY]: 2, lines: [], saved: ['pear'], extra: 1 });
    assert.deepEqual(v2.encode('cart', { lines: [], saved: [] }, read), {
      [VERSION_KEY]: 2,
      lines: [],
      saved: [],
    });
  });

  it('attributes without a schema pass through untouched, tag and all', () => {
    const raw = { [VERSION_KEY]: 2, lines: [] };
    assert.deepEqual(v2.decode('user', raw), { value: raw, version: 1 });
    assert.equal(v2.encode('user', 'alice', undefined), 'alice');
  });

  it('from version 2 on a value must be an object', () => {
    assert.throws(() => v2.encode('cart', ['apple'], undefined), /must be a JSON object/);
  });

  it('a value that cannot be read is logged and reads as absent', () => {
    const warnings: object[] = [];
    const failing = new AttributeSchemas(
      {
        cart: {
          version: 2,
          upcasters: {
            1: () => {
              throw new Error('not a cart');
            },
          },
        },
      },
      { warn: (obj) => void warnings.push(obj) },
    );
    assert.equal(failing.decode('cart', 'garbage'), undefined);
    assert.equal(failing.decode('cart', { [VERSION_KEY]: 'two' }), undefined);
    assert.equal(warnings.length, 2);
    assert.deepEqual(
      warnings.map((w) => (w as { code: string }).code),
      ['SESSION_DATA_CORRUPT', 'SESSION_DATA_CORRUPT'],
    );
  });

  it('refuses, at start-up, a schema whose upcasters do not reach its version', () => {
    assert.throws(
      () => new AttributeSchemas({ cart: { version: 3, upcasters: { 1: (v) => v } } }, quiet),
      {
        code: 'SESSION_OPTIONS_INVALID',
        message: /attributes\.cart\.upcasters.*2/,
      },
    );
    assert.throws(() => new AttributeSchemas({ cart: { version: 0 } }, quiet), {
      message: /attributes\.cart\.version/,
    });
    assert.throws(() => new AttributeSchemas({ cart: { upcasters: { 1: (v) => v } } }, quiet), {
      message: /attributes\.cart\.upcasters.*has 1/,
    });
  });
});
