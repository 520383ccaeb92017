/**
 * The variables of infra/nginx/baton.conf.template. compose gives them as nginx's environment
 * (the official image substitutes them with envsubst); the local stack substitutes them here.
 */
export const TEMPLATE_VARIABLES = [
  'EDGE_LISTEN',
  'CART_LISTEN',
  'ACCOUNT_LISTEN',
  'GATEWAY_1',
  'GATEWAY_2',
  'CART_1',
  'CART_2',
  'ACCOUNT_1',
  'ACCOUNT_2',
] as const;

export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/**
 * Substitutes `${NAME}` for the known names only, like envsubst with a variable list: nginx's own
 * `$upstream_addr` (and a `${NAME}` that is not one of ours) stay as they are.
 *
 * @example
 * renderTemplate('listen ${EDGE_LISTEN};', { EDGE_LISTEN: '127.0.0.1:8080', ... })
 * // 'listen 127.0.0.1:8080;'
 */
export function renderTemplate(template: string, values: Record<TemplateVariable, string>): string {
  for (const name of TEMPLATE_VARIABLES) {
    if (!values[name]) throw new TypeError(`nginx template variable ${name} has no value`);
  }
  return template.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) =>
    isTemplateVariable(name) ? values[name] : match,
  );
}

/** @private */
function isTemplateVariable(name: string): name is TemplateVariable {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name);
}
