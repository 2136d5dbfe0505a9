// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/types/consumers/ is compiled against the packed package by npm run check:consumers.
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'bench/results/', 'test/types/consumers/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits must be marked with `void`: the store's whole promise is no unhandled rejection.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // express-session's Store declares its methods as returning void; ours also return a promise, on purpose.
      // `import x = require()` is how TypeScript imports an `export =` module such as ours.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { inheritedMethods: false } }],
    },
  },
  {
    // `export =` (so that require(pkg)(session.Store) works) carries its types in a namespace.
    files: ['lib/index.ts'],
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
  {
    files: ['test/**/*.ts', 'test-faults/**/*.ts'],
    rules: {
      // Tests poke at raw rows and driver results.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
      // Plain-JavaScript examples are loaded with require() and typed at the call site.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true, allow: ['/examples/'] }],
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node }, sourceType: 'commonjs' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
);
