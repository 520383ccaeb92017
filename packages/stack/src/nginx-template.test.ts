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
      renderTemplate('listen ${EDGE_LISTEN}; server ${CART_2};', values),
      'listen v-EDGE_LISTEN; server v-CART_2;',
    );
  });

  it("leaves nginx's own variables and unknown ${NAME}s alone", () => {
    const text = 'log $upstream_addr ${upstream_status} $request_id ${OTHER} $${EDGE}';
    assert.equal(renderTemplate(text, values), text);
  });

  it('refuses a missing value instead of rendering an empty upstream', () => {
    assert.throws(() => renderTemplate('x', { ...values, GATEWAY_2: '' }), /GATEWAY_2/);
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
