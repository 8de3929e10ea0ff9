// Lint rules that hold the layers apart and keep promises awaited; `npm test` runs this before Jest.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** What deterministic code (the pure engine, the workflow sandbox) must not reach for. */
const nodeBuiltins = ['fs', 'path', 'crypto', 'os', 'child_process', 'http', 'https', 'net', 'util', 'events', 'stream', 'url', 'timers'];
const builtinPaths = (message) => nodeBuiltins.map((name) => ({ name, message }));
/** Our folders, not npm packages that share a name (`@opentelemetry/api` is no `api/`). */
const notPackages = '!@*/**';
const layerBan = (layers, why) => layers.map((layer) => ({ group: [`**/${layer}`, `**/${layer}/**`, notPackages], allowTypeImports: true, message: why }));

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.tools/**', 'dist/**', 'coverage/**', 'scratch/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  importX.flatConfigs.typescript,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: {
        // The browser apps' unit tests run in Node: no app tsconfig takes them, web/tsconfig.test.json does.
        projectService: { allowDefaultProject: ['web/*/*.test.ts'], defaultProject: 'web/tsconfig.test.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // `any` is refused only where the determinism and the types matter most (below).
      '@typescript-eslint/no-explicit-any': 'off',
      // A run-time import cycle makes module load order matter; type-only cycles are harmless.
      'import-x/no-cycle': ['error', { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false }],
    },
  },
  {
    files: ['engine/**/*.ts', 'workflows/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: builtinPaths('engine and workflow code is deterministic: no Node built-ins'),
          patterns: [
            { group: ['node:*'], message: 'engine and workflow code is deterministic: no Node built-ins' },
            ...layerBan(['db', 'api', 'activities'], 'engine and workflow code does no I/O: import only types from db/, api/ and activities/'),
          ],
        },
      ],
    },
  },
  {
    files: ['engine/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: builtinPaths('the engine is pure: no Node built-ins'),
          patterns: [
            { group: ['node:*'], message: 'the engine is pure: no Node built-ins' },
            { group: ['@temporalio/*'], message: 'the engine is pure: the workflow drives it, it knows no Temporal' },
            ...layerBan(
              ['db', 'api', 'activities', 'workflows', 'integrations', 'workers'],
              'the engine is the bottom layer: it imports only itself (and zod)',
            ),
          ],
        },
      ],
    },
  },
  {
    // Lower layers never reach up into the API.
    files: ['activities/**/*.ts', 'integrations/**/*.ts', 'db/**/*.ts', 'workflows/**/*.ts', 'workers/**/*.ts', 'client/**/*.ts', 'sandbox/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/api', '**/api/**', notPackages], message: 'only the API imports from api/' }] }],
    },
  },
  {
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/activities', '**/activities/**'], message: 'the API starts workflows and calls services; activities belong to the worker' }],
        },
      ],
    },
  },
  {
    // The browser apps: they reach the server only over HTTP, sharing its types and the engine's pure texts.
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    ignores: ['web/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'browser code: no Node built-ins' },
            ...layerBan(
              ['db', 'api', 'activities', 'workflows', 'integrations', 'workers'],
              'browser code talks to the API over HTTP: import only types from the server',
            ),
          ],
        },
      ],
    },
  },
  {
    // Scripts the API serves to browsers (the docs page).
    files: ['**/*.browser.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        window: 'readonly',
        document: 'readonly',
        sessionStorage: 'readonly',
        crypto: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        SwaggerUIBundle: 'readonly',
      },
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { module: 'readonly', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
  },
);
