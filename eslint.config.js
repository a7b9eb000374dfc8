// Lint rules for the whole tree: ESLint's and typescript-eslint's recommended sets, Vue's for the
// web app, and Prettier's config last so no rule argues with the formatter. The architecture
// (which plane may import which) is checked by scripts/check-architecture.ts, not here.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'prisma/generated/',
      'web/dist/',
      'web/dist-test/',
      'data/',
      'coverage/',
      'test-results/',
      'bench/results/',
      '**/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      // `_`-prefixed names say "unused on purpose" (a callback's position, a destructured rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // A swallowed error must at least say why (STYLE.md, habit 3): an empty block needs a comment.
      'no-empty': ['error', { allowEmptyCatch: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
    },
  },
  {
    files: ['web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Browser code run by the benchmarks and tests inside Chromium pages.
    files: ['bench/lib/media/page/**', 'tests/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    // Tests read whatever JSON a reply holds and assert on it; typing every body would add
    // casts, not safety. Production code keeps the rule.
    files: ['tests/**', 'bench/**', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
