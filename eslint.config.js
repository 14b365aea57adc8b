import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The core never imports a framework (DESIGN.md: core seams).
    files: ['src/**/*.ts'],
    ignores: ['src/adapters/**', 'src/cli/**', 'src/stores/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['fastify', 'fastify/*', 'express', 'express/*', 'hono', 'hono/*', '@hono/*'], message: 'The core is framework-free; framework code belongs in src/adapters/.' }] }],
    },
  },
  {
    // Adapters use only the core's public API, and import frameworks for types only.
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*/**', '!../index.js'], message: 'Adapters use only the public API: import from "../index.js".' },
            { group: ['fastify', 'express', 'hono', 'hono/*'], allowTypeImports: true, message: 'Adapters import their framework type-only.' },
          ],
        },
      ],
    },
  },
);
