// ESLint 9 flat config for every workspace (npm run lint runs it, then prettier --check).
// Style (quotes, commas, wrapping code) is Prettier's job: eslint-config-prettier switches off the rules that would fight it;
// max-len, at the end, holds the lines Prettier cannot wrap to its 140 characters.
import { readdirSync, statSync } from 'node:fs';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Module boundaries (design.md: each module alone writes its tables, through its own repository): a server
 * module may not import another module's entities or its hand-written SQL (`*.entity`, `*.entities`, `*-sql`).
 * Ask the owner instead (its `<module>.repository.ts`). An error, so a new violation fails CI; raw SQL writes to
 * another module's table are caught by server/src/database/table-ownership.test.ts. Infrastructure that must see
 * every table is exempt, as are tests.
 */
const BOUNDARY_LEVEL = 'error';
/** Folders of server/src that are infrastructure, not domain modules: they may import any module's entities. */
const NOT_MODULES = new Set(['common', 'database', 'testing', 'cli']);
const BOUNDARY_EXEMPT = ['server/src/**/*.test.ts', 'server/src/testing/**', 'server/src/database/**', 'server/src/cli/**'];

const serverModules = readdirSync(new URL('./server/src/', import.meta.url)).filter(
  (name) => !NOT_MODULES.has(name) && statSync(new URL(`./server/src/${name}`, import.meta.url)).isDirectory(),
);

/** What another module's files may not import from `owner` (gitignore-style patterns on the import path). */
const privateFilesOf = (owner) => [
  `**/${owner}/*.entity`,
  `**/${owner}/**/*.entity`,
  `**/${owner}/*.entities`,
  `**/${owner}/**/*.entities`,
  `**/${owner}/*-sql`,
  `**/${owner}/**/*-sql`,
];

const boundaries = serverModules.map((module) => ({
  name: `boundaries/${module}`,
  files: [`server/src/${module}/**/*.ts`],
  ignores: BOUNDARY_EXEMPT,
  rules: {
    'no-restricted-imports': [
      BOUNDARY_LEVEL,
      {
        patterns: serverModules
          .filter((owner) => owner !== module)
          .map((owner) => ({
            group: privateFilesOf(owner),
            message: `${owner}'s entities and SQL are ${owner}'s own: call its service or repository instead (design.md).`,
          })),
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.data/**',
      'test/bench/results/**',
      'test/e2e/screenshots/**',
      '**/*.d.ts',
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    name: 'project/all',
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring away a field, a required parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    name: 'project/commonjs',
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read untyped JSON answers and load modules fresh (jest.isolateModules, lazy require of test-only tools).
    name: 'project/tests',
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    name: 'project/miniprogram',
    // The mini-program and the desktop console (server/console) are both React in a browser.
    files: ['miniprogram/src/**/*.{ts,tsx}', 'server/console/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  ...boundaries,
  prettier,
  {
    // Lines ≤ 140 characters (issue 15). Prettier wraps code at its printWidth of 140 but cannot wrap comments, string
    // literals, SQL in template literals or test names; this rule holds those to the same width (only URLs and regular
    // expression literals may run longer). Last, because eslint-config-prettier above switches max-len off. Core
    // max-len is deprecated in favour of @stylistic/max-len, but ESLint 9 runs it without a warning (removal is due in v11).
    name: 'project/max-len',
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    rules: { 'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
);
