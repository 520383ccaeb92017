// Import rules for the whole tree, checked by `npm run lint` (dependency-cruiser).
// The layers read bottom-up: packages/ hold what apps/ are built from, and the tools on top
// (bench, labs, chaos, e2e) use both. An arrow pointing back up, or a circle, makes a module
// impossible to read or test on its own, which is the first thing a newcomer tries.
// A workspace import resolves to the workspace's dist/ once it is built and stays unresolved
// before, so the layer rules match the folder and the package name alike.
const apps = '(apps/|@baton/(account-service|cart-service|gateway|web)(/|$))';
const tools = '((bench|labs|chaos|e2e)/|@baton/(bench|labs|chaos|e2e)(/|$))';

export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other in a circle (type-only imports included).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-below-everything',
      severity: 'error',
      comment: 'A package must not depend on an app or on the tools built on top of the platform.',
      from: { path: '^packages/' },
      to: { path: `^(${apps}|${tools})` },
    },
    {
      name: 'apps-below-tools',
      severity: 'error',
      comment: 'An app must not depend on the bench, the labs, the chaos soak or the e2e suite.',
      from: { path: '^apps/' },
      to: { path: `^${tools}` },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.json'],
      conditionNames: ['import', 'types', 'node', 'default'],
    },
  },
};
