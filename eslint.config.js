// ESLint for the TypeScript sources (dist/ is tsc's output): typescript-eslint's strict,
// type-checked rules on top of ESLint's recommended ones, typed by the root tsconfig.json.
// Rule options below are the project's decisions; a rule switched off for one line says why there.
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'coverage/', 'node_modules/'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    // A disable comment that no longer suppresses anything is stale: --fix removes it.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // tsconfig has noUncheckedIndexedAccess, so every table[i] is `T | undefined`; `!` marks an
      // index or lookup the code has just established (loop bounds, a path it created). A runtime
      // check at each of those would be dead code, so `!` stays the idiom.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // QEMU's messages print sizes, counts and addresses: numbers in templates are the norm. Other
      // types (undefined, booleans, objects) still need an explicit String()/format.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowAny: false, allowBoolean: false, allowNever: false, allowNullish: false, allowRegExp: false },
      ],
      // `(x) => io.out(x)` as a callback is the codebase's idiom; a void call used as a value
      // anywhere else is still reported.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // `const { omitted: _omitted, ...rest } = value` is how the code drops a member from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);
