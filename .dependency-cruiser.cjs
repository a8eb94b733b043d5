// The walls between Sesame's packages and between the server's layers (docs/architecture.md,
// "Walls"), checked by `npm run lint` through `npm run lint:deps`:
//
//   depcruise packages/*/src examples --config .dependency-cruiser.cjs
//
// The packages' sources are cruised, and the examples whole (their tests too: an example shows what
// outside code can do); the packages' own tests may reach across a wall to set a scene.
// A rule listed under PENDING is one the code does not keep yet; it reports as a warning (the lint
// passes) until the move that makes it hold lands, then it joins the others as an error.

/**
 * Store implementations: everything in store/ (SQLite, PostgreSQL, sql/, redis/, migrations/, ...)
 * but the contracts: types.ts, errors.ts, unavailable.ts (which failures mean "database out of reach")
 * and key-sealing.ts (the cipher a store is given, the sealed form, the unreadable-key error).
 */
const STORE_IMPLEMENTATION = '^packages/server/src/store/(?!(types|errors|unavailable|key-sealing)\\.ts$)';
const SERVER = '^packages/server/src/';

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const walls = [
  {
    name: 'jwt-imports-nothing-of-ours',
    comment: '@sesame/jwt is the zero-dependency base every other package builds on.',
    severity: 'error',
    from: { path: '^packages/jwt/' },
    to: { path: '^(packages|examples)/', pathNot: '^packages/jwt/' },
  },
  {
    name: 'protocol-imports-nothing-of-ours',
    comment: '@sesame/protocol holds the rules server, guard and CLI share; it depends on none of them.',
    severity: 'error',
    from: { path: '^packages/protocol/' },
    to: { path: '^(packages|examples)/', pathNot: '^packages/protocol/' },
  },
  {
    name: 'tools-import-only-jwt-and-protocol',
    comment:
      '@sesame/tools decodes, signs and verifies without the server or its native dependencies: ' +
      'of ours only jwt and protocol (both zero-dependency), of npm nothing.',
    severity: 'error',
    from: { path: '^packages/tools/' },
    to: {
      path: ['^(packages|examples)/', '(^|/)node_modules/'],
      pathNot: '^packages/(tools|jwt|protocol)/',
    },
  },
  {
    name: 'guard-never-imports-server',
    comment: 'The guard runs inside resource servers; it must not pull in the token service.',
    severity: 'error',
    from: { path: '^packages/guard/' },
    to: { path: '^packages/server/' },
  },
  {
    name: 'nothing-imports-server-internals',
    comment: 'Outside code (other packages, examples) uses @sesame/server through its public exports only.',
    severity: 'error',
    from: { path: '^(packages|examples)/', pathNot: '^packages/server/' },
    to: { path: SERVER, pathNot: `${SERVER}index\\.ts$` },
  },
  {
    name: 'domain-never-imports-http',
    comment: 'Business steps know no Fastify and no HTTP helpers, so routes, forms and CLI share them.',
    severity: 'error',
    from: { path: `${SERVER}domain/` },
    to: { path: [`${SERVER}http/`, '(^|/)node_modules/(fastify|@fastify/)', '^(fastify|@fastify/)'] },
  },
  {
    name: 'grants-never-import-http',
    comment: 'Errors a grant raises are domain errors the HTTP layer maps.',
    severity: 'error',
    from: { path: `${SERVER}grants/` },
    to: { path: `${SERVER}http/` },
  },
  {
    name: 'routes-never-import-a-store-implementation',
    comment: 'Routes and pages reach storage through domain steps and the store contract.',
    severity: 'error',
    from: { path: `${SERVER}http/` },
    to: { path: STORE_IMPLEMENTATION },
  },
  {
    name: 'grants-never-import-a-store-implementation',
    comment: 'Grants reach storage through domain steps and the store contract.',
    severity: 'error',
    from: { path: `${SERVER}grants/` },
    to: { path: STORE_IMPLEMENTATION },
  },
  {
    name: 'commands-never-import-a-store-implementation',
    comment: 'CLI commands call domain steps; the store opener (src/open-store.ts) picks an implementation.',
    severity: 'error',
    from: { path: `${SERVER}cli/` },
    to: { path: STORE_IMPLEMENTATION },
  },
  {
    name: 'no-module-circles',
    comment: 'A circle of modules cannot be read, tested or loaded in an order of its own.',
    severity: 'error',
    from: { path: '^(packages|examples)/' },
    to: { circular: true },
  },
  {
    name: 'no-folder-circles',
    comment: 'Folders form layers; a circle between two folders means neither is below the other.',
    severity: 'error',
    scope: 'folder',
    from: { path: '^(packages|examples)/' },
    to: { circular: true },
  },
];

/**
 * Rules the code does not keep yet (they report as warnings). Turn each to 'error', among the walls,
 * once it holds. None at present.
 * @type {import('dependency-cruiser').IForbiddenRuleType[]}
 */
const pending = [].map((rule) => ({ ...rule, severity: 'warn' }));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [...walls, ...pending],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '(^|/)dist/' },
    // Type-only imports count: a layer that names another's types still depends on it.
    tsPreCompilationDeps: true,
    // Resolve the workspaces' own packages to their sources, as typecheck and vitest do.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['sesame-source', 'import', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
