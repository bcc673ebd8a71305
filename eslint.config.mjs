// typescript-eslint with type information, plus the rules that keep workflow code deterministic.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Workflow code is replayed: it may import the workflow SDK, the pure domain and activity *types* only.
const workflowImports = {
  paths: [
    ...['@temporalio/activity', '@temporalio/client', '@temporalio/worker', 'axios', 'pino', 'zod'].map((name) => ({
      name,
      message: 'workflow code is deterministic: no I/O and no process libraries; call an activity instead',
    })),
  ],
  patterns: [
    {
      group: ['node:*', 'fs', 'path', 'os', 'crypto', 'http', 'https', 'child_process'],
      message: 'workflow code runs in a sandbox: no Node APIs',
    },
    {
      group: ['../activities', '../activities/*', '../../activities', '../../activities/*'],
      allowTypeImports: true,
      message: 'workflows import activity types only (import type)',
    },
    {
      group: [
        '**/alipay-plus',
        '**/alipay-plus/*',
        '**/eport/*',
        '**/sandbox/*',
        '**/dev/*',
        '**/client/*',
        '**/workers/*',
        '**/platform/*',
      ],
      message: 'workflows import domain contracts and activity types only',
    },
  ],
};

export default defineConfig(
  { ignores: ['node_modules/', 'lib/', '.tools/', '.dev/', 'results/', 'bench-results/', 'test/histories/', 'test/fixtures/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_name` marks a binding that is there on purpose, e.g. a field left out of a projection.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // node:test's test() and describe() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
  { files: ['workflows/**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowImports] } },
  prettier,
);
