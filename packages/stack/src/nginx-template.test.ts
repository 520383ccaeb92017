import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { TEMPLATE_VARIABLES, renderTemplate, type TemplateVariable } from './nginx-template.js';

const values = Object.fromEntries(TEMPLATE_VARIABLES.map((name) => [name, `v-${name}`])) as Record<
  TemplateVariable,
  string
>;

describe('renderTemplate', () => {
  it('substitutes the known ${NAME} variables', () => {
    assert.equal(
      renderTemplate('listen ${EDGE_LISTEN}; ${CART_SERVERS}', values),
      'listen v-EDGE_LISTEN; v-CART_SERVERS',
    );
  });

  it("leaves nginx's own variables and unknown ${NAME}s alone", () => {
    const text = 'log $upstream_addr ${upstream_status} $request_id ${OTHER} $${EDGE}';
    assert.equal(renderTemplate(text, values), text);
  });

  it('refuses a missing value instead of rendering an empty upstream', () => {
    assert.throws(() => renderTemplate('x', { ...values, GATEWAY_SERVERS: '' }), /GATEWAY_SERVERS/);
  });

  it('keeps several lines of one value as they are (the local upstreams)', () => {
    const servers = 'server 127.0.0.1:1 max_fails=0;\n    server 127.0.0.1:2 max_fails=0;';
    assert.equal(
      renderTemplate('upstream u {\n    ${CART_SERVERS}\n}', { ...values, CART_SERVERS: servers }),
      `upstream u {\n    ${servers}\n}`,
    );
  });

  it('matches the variables infra/nginx/baton.conf.template uses, outside its comments', async () => {
    const template = await readFile(
      new URL('../../../../infra/nginx/baton.conf.template', import.meta.url),
      'utf8',
    );
    const code = template
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
    const used = new Set(
      [...code.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1]),
    );
    assert.deepEqual([...used].sort(), [...TEMPLATE_VARIABLES].sort());
  });
});
