// ESLint (typescript-eslint) for the TypeScript and JavaScript of src/, test/, bench/ and examples/:
// `npm run lint` (with Prettier's check), run by .ci/run. Kept here, with the CI, so the top level
// stays the project's fixed shape. assembly/ is AssemblyScript (its decorators are not TypeScript):
// the asc compiler checks it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export default tseslint.config(
  {
    basePath: root,
    ignores: ['dist/**', 'build/**', 'node_modules/**', 'src/generated/**', 'coverage/**', 'assembly/**', 'examples/output/**', 'test/tfjs/.programs/**',
      'test/consumer/projects/**', '**/*.d.ts', '**/*.cjs', '**/*.cts'],
  },
  {
    basePath: root,
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.mjs', 'examples/**/*.mjs', 'test/**/*.mjs'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        console: 'readonly', process: 'readonly', globalThis: 'readonly', performance: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly',
        queueMicrotask: 'readonly', URL: 'readonly', Buffer: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly',
        WebAssembly: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly', FinalizationRegistry: 'readonly',
        WeakRef: 'readonly', fetch: 'readonly', Response: 'readonly', Blob: 'readonly', File: 'readonly', FormData: 'readonly',
        structuredClone: 'readonly', navigator: 'readonly', window: 'readonly', document: 'readonly', self: 'readonly',
        indexedDB: 'readonly', localStorage: 'readonly', Worker: 'readonly', AbortController: 'readonly',
      },
    },
    rules: {
      // Lines of code ≤ 120 (Prettier wraps them); long strings — error messages, kept whole so they can
      // be searched for — and URLs may run past it, comments may not.
      'max-len': ['error', { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Golden values and polynomial coefficients are written with every digit their source publishes.
      'no-loss-of-precision': 'off',
    },
  },
);
