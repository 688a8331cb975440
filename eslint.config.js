// ESLint flat config for the Rollcall workspace: `npm run lint` is `eslint . --max-warnings 0`.
//
// - TypeScript is linted with type information (typescript-eslint `recommendedTypeChecked`).
//   Every linted .ts file must belong to one of the projects below: each package's own
//   tsconfig.json for its sources, and tsconfig.tools.json for tests, benchmarks and the vitest
//   config. A new kind of .ts file (e.g. e2e/) needs adding to one of them.
// - Plain .js/.mjs/.cjs files (bin shims, bench runners) are linted without type information.
// - The architecture's boundaries are lint errors: the domain imports nothing outside itself;
//   in the server only db/ imports kysely, only http/ and web/ import Fastify, only platform/
//   reads the clock or makes ids and randomness, and only config/ reads process.env. Tests and
//   benchmarks are exempt from the boundary and clock rules.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS_FILES = ['**/*.ts', '**/*.mts', '**/*.cts'];
const JS_FILES = ['**/*.js', '**/*.mjs', '**/*.cjs'];
/** Tests, their helpers and data: exempt from the boundary and clock rules. */
const TEST_FILES = [
  '**/*.test.ts',
  '**/test-support.ts',
  '**/*.test-support.ts',
  '**/test-support/**',
  'packages/*/test/**',
  '**/__golden__/**',
  'e2e/**',
];
/** Benchmarks measure time by nature. */
const BENCH_FILES = ['bench/**'];

const DOMAIN_SRC = 'packages/domain/src';
const SERVER_SRC = 'packages/server/src';

// ---------------------------------------------------------------------------------------------
// Clock, ids and randomness: only packages/server/src/platform/ may touch them.
// ---------------------------------------------------------------------------------------------

const CLOCK_MESSAGE =
  'Only packages/server/src/platform/ reads the clock: take "today"/"now" as an argument or use the Clock.';
const RANDOM_MESSAGE =
  'Only packages/server/src/platform/ makes ids or randomness: take an id generator as a dependency.';

/** no-restricted-syntax entries: reading the clock. */
const CLOCK_SYNTAX = [
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: CLOCK_MESSAGE },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: CLOCK_MESSAGE },
];
/** no-restricted-syntax entries: making ids or random numbers. */
const IDS_SYNTAX = [
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: RANDOM_MESSAGE },
  { selector: "CallExpression[callee.property.name='randomUUID']", message: RANDOM_MESSAGE },
];

/** The domain's no-restricted-syntax entries besides IDS_SYNTAX: no JS Date at all (which covers the clock), no dynamic import. */
const DOMAIN_SYNTAX = [
  {
    selector: "NewExpression[callee.name='Date']",
    message: "No JS Date in the domain: dates are PlainDate strings ('YYYY-MM-DD'), see dates.ts.",
  },
  {
    selector: "MemberExpression[object.name='Date']",
    message: "No JS Date in the domain: dates are PlainDate strings ('YYYY-MM-DD'), see dates.ts.",
  },
  {
    selector: "TSTypeReference[typeName.name='Date']",
    message: "No JS Date in the domain: dates are PlainDate strings ('YYYY-MM-DD'), see dates.ts.",
  },
  { selector: 'ImportExpression', message: 'The domain imports nothing at run time: no dynamic import().' },
];

// ---------------------------------------------------------------------------------------------
// One path to the database: only packages/server/src/db/ builds queries (issue 19).
// ---------------------------------------------------------------------------------------------

const QUERY_MESSAGE =
  "Queries live in packages/server/src/db/: write a named function in the feature's module (db/<feature>/) and call it.";
/** no-restricted-syntax entries: building a query (Kysely's query builders and the sql tag). */
const QUERY_SYNTAX = [
  {
    selector:
      'CallExpression > MemberExpression.callee[property.name=/^(selectFrom|selectNoFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto|with|withRecursive)$/]',
    message: QUERY_MESSAGE,
  },
  { selector: "TaggedTemplateExpression[tag.name='sql']", message: QUERY_MESSAGE },
  { selector: "MemberExpression[object.name='sql']", message: QUERY_MESSAGE },
];

// ---------------------------------------------------------------------------------------------
// Import boundaries (no-restricted-imports). A later block replaces a rule's options rather
// than merging them, so each block below states the complete list for its files.
// ---------------------------------------------------------------------------------------------

/**
 * Domain files at a given folder depth below src/ may import only relative paths that stay
 * inside src/ (depth 0 = src/*.ts may not go up at all).
 */
function domainImports(depth) {
  return [
    'error',
    {
      patterns: [
        {
          regex: '^(?!\\.{1,2}/)',
          message:
            'packages/domain imports nothing outside itself: no packages, no node: builtins. I/O belongs in packages/server.',
        },
        {
          regex: `^(\\.\\./){${depth + 1}}`,
          message: 'packages/domain/src may import only its own files.',
        },
      ],
    },
  ];
}

const SERVER_PATTERNS = {
  kysely: {
    regex: '^(kysely|better-sqlite3|pg)(/|$)',
    message: 'Only packages/server/src/db/ imports kysely and the database drivers: use a repository from db/.',
  },
  fastify: {
    regex: '^(fastify(/|$)|fastify-|@fastify/)',
    message: 'Only packages/server/src/http/ and web/ import Fastify: call a service from here instead.',
  },
  domainInternals: {
    regex: '(^@rollcall/domain/|(^|/)domain/(src|dist)(/|$))',
    message: "Import the domain through its public entry point: '@rollcall/domain'.",
  },
};

const RANDOM_IMPORTS = ['randomUUID', 'randomBytes', 'randomInt'];
const SERVER_PATHS = {
  random: ['node:crypto', 'crypto'].map((name) => ({ name, importNames: RANDOM_IMPORTS, message: RANDOM_MESSAGE })),
};

/** The server's import rule for a folder, leaving out what that folder is allowed. */
function serverImports({ kysely = false, fastify = false, random = false } = {}) {
  const patterns = [SERVER_PATTERNS.domainInternals];
  if (!kysely) patterns.push(SERVER_PATTERNS.kysely);
  if (!fastify) patterns.push(SERVER_PATTERNS.fastify);
  const paths = random ? [] : SERVER_PATHS.random;
  return ['error', { paths, patterns }];
}

/** Domain folders deep enough for any layout we expect (src/a/b/c/*.ts). */
const DOMAIN_DEPTHS = [0, 1, 2, 3, 4];

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/node_modules/',
    '**/coverage/',
    'data/',
    'tmp/',
    '.vitest-cache/',
    '**/test-results/',
    '**/playwright-report/',
    // Bundled by esbuild from packages/server/assets/ at build time.
    'packages/server/public/assets/',
  ]),

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig that compiles it; the first listed project that
        // includes a file wins.
        project: [
          './packages/domain/tsconfig.json',
          './packages/server/tsconfig.json',
          './tsconfig.tools.json',
          './packages/server/assets/tsconfig.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // TypeScript: the house rules on top of recommendedTypeChecked.
  {
    files: TS_FILES,
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: true },
      ],
      // With verbatimModuleSyntax, `import { type A } from 'x'` keeps a bare `import 'x'`.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },

  // Plain JavaScript (bin shims, bench runners): no type information.
  {
    files: JS_FILES,
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'module',
      globals: globals.node,
    },
  },

  // Nothing reads the clock or makes ids except platform/ (and tests and benchmarks, below).
  {
    files: [...TS_FILES, ...JS_FILES],
    rules: { 'no-restricted-syntax': ['error', ...CLOCK_SYNTAX, ...IDS_SYNTAX] },
  },

  // Nothing outside db/ builds a query (db/query-boundary.test.ts checks the same).
  {
    files: [`${SERVER_SRC}/**/*.ts`],
    ignores: [`${SERVER_SRC}/db/**`, ...TEST_FILES],
    rules: { 'no-restricted-syntax': ['error', ...CLOCK_SYNTAX, ...IDS_SYNTAX, ...QUERY_SYNTAX] },
  },

  // The domain: imports nothing outside itself, never a JS Date, never the clock.
  ...DOMAIN_DEPTHS.map((depth) => ({
    files: [`${DOMAIN_SRC}/${'*/'.repeat(depth)}*.ts`],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': domainImports(depth),
      'no-restricted-syntax': ['error', ...IDS_SYNTAX, ...DOMAIN_SYNTAX],
    },
  })),

  // The server: each role's folder owns its libraries.
  {
    files: [`${SERVER_SRC}/**/*.ts`],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': serverImports(),
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only packages/server/src/config/ reads process.env: take the validated config instead.',
        },
      ],
    },
  },
  {
    files: [`${SERVER_SRC}/db/**/*.ts`],
    ignores: TEST_FILES,
    rules: { 'no-restricted-imports': serverImports({ kysely: true }) },
  },
  {
    files: [`${SERVER_SRC}/http/**/*.ts`, `${SERVER_SRC}/web/**/*.ts`],
    ignores: TEST_FILES,
    rules: { 'no-restricted-imports': serverImports({ fastify: true }) },
  },
  {
    files: [`${SERVER_SRC}/platform/**/*.ts`],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': serverImports({ random: true }),
      'no-restricted-syntax': 'off',
    },
  },
  {
    files: [`${SERVER_SRC}/config/**/*.ts`],
    ignores: TEST_FILES,
    rules: { 'no-restricted-properties': 'off' },
  },

  // Benchmarks time things by nature; tests may use anything.
  {
    files: [...TEST_FILES, ...BENCH_FILES],
    rules: {
      'no-restricted-imports': 'off',
      'no-restricted-syntax': 'off',
      'no-restricted-properties': 'off',
    },
  },

  // Browser code: the enhancement modules and the small scripts served from public/.
  {
    files: ['packages/server/assets/**/*.ts', 'packages/server/public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
