/**
 * The variables of infra/nginx/baton.conf.template. compose gives them as nginx's environment
 * (the official image substitutes them with envsubst); the local stack substitutes them here.
 * `*_LISTEN` are `listen` addresses; `*_SERVERS` are whole `server …;` lines of an upstream
 * (compose: one service name with `resolve`; local: one line per ready replica);
 * `UPSTREAM_RESOLVER` is an http-level line (compose: Docker's DNS; local: a comment).
 */
export const TEMPLATE_VARIABLES = [
  'EDGE_LISTEN',
  'CART_LISTEN',
  'ACCOUNT_LISTEN',
  'GATEWAY_SERVERS',
  'CART_SERVERS',
  'ACCOUNT_SERVERS',
  'UPSTREAM_RESOLVER',
] as const;

export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** The `UPSTREAM_RESOLVER` line where addresses are fixed (the local stack, tests, bench). */
export const NO_RESOLVER =
  '# local stack: no resolver; @baton/stack rewrites the upstreams and reloads nginx';

/**
 * A `*_SERVERS` value for fixed addresses: one `server <address> max_fails=0;` line each,
 * indented like the template's other upstream lines. `names` (same order) become trailing
 * comments, so a reader of the generated file sees which replica each port is.
 *
 * @example
 * upstreamServers(['127.0.0.1:40001', '127.0.0.1:40002'])
 * // 'server 127.0.0.1:40001 max_fails=0;\n    server 127.0.0.1:40002 max_fails=0;'
 */
export function upstreamServers(addresses: readonly string[], names?: readonly string[]): string {
  if (addresses.length === 0) throw new TypeError('an upstream needs at least one server');
  return addresses
    .map((address, i) => `server ${address} max_fails=0;${names ? ` # ${names[i]}` : ''}`)
    .join('\n    ');
}

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
