/**
 * The house's import rules, checked by `npm run lint` (dependency-cruiser). See ARCHITECTURE.md.
 *
 * Known violations of the layering rules that were there before the rules (issue 19) are listed
 * in `.dependency-cruiser-known-violations.json` and only reported as warnings until each is
 * moved; any new one fails. Regenerate that list only when removing entries:
 * `npx depcruise-baseline packages/domain/src packages/server/src`.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No loops anywhere in the import graph: a module never imports, however indirectly, a module that imports it.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'db-imports-no-layer-above',
      comment: 'The database layer (db/) never imports services, pages, the HTTP layer or the command line.',
      severity: 'error',
      from: { path: '^packages/server/src/db/', pathNot: '\\.test\\.ts$' },
      to: { path: '^packages/server/src/(services|web|http|cli)/' },
    },
    {
      name: 'shells-call-services-not-db',
      comment: 'Pages, the HTTP layer and the command line call services, never db/ directly.',
      severity: 'error',
      from: { path: '^packages/server/src/(web|http|cli)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^packages/server/src/db/' },
    },
    {
      name: 'domain-imports-nothing',
      comment: 'The domain core is pure: it imports only its own files.',
      severity: 'error',
      from: { path: '^packages/domain/src/' },
      to: { pathNot: '^packages/domain/src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '/dist/'] },
    tsConfig: { fileName: 'tsconfig.tools.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
