/**
 * The linter (issue 20): ESLint with typescript-eslint's type-checked rules; Prettier formats
 * (.prettierrc.json), so no rule here is about layout.
 *
 * Why ESLint and not Biome: the rules this project wants most, a promise nobody awaits
 * (no-floating-promises, no-misused-promises, await-thenable) and a `switch` that misses a member of
 * a union even when it has a `default:` (switch-exhaustiveness-check), need TypeScript's type
 * checker, which Biome's rules do not have at maturity. Prettier is the formatter everyone
 * recognises.
 *
 *   npm run lint                  # every .ts/.js file but the ignored ones below
 *   npx eslint src/cli/main.ts    # one file
 *
 * The base is typescript-eslint's `recommendedTypeChecked` and ESLint's `recommended` (the
 * correctness rules: no-fallthrough, no-unreachable, no-constant-condition, no-dupe-keys, ...).
 * Switched off, each for its reason (below, where it is switched off): the no-unsafe-* family
 * (JSON.parse and YAML give `any` on purpose, and tests read parsed output), and rules whose
 * findings here were all deliberate code.
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'action-dist/', // the bundled GitHub Action (scripts/bundle.ts)
    '**/node_modules/',
    '.venv/', // Label Studio releases and the workflow linters
    'src/generated/', // `npm run gen` writes it from schemas/
    'test/fixtures/',
    '.labelform/',
    '.bench-out/',
  ]),
  js.configs.recommended,
  {
    name: 'labelform/typescript',
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // Every .ts file is in tsconfig.json (src, test, scripts, bench).
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Promises: each one awaited, returned, given a .catch, or `void` with a comment saying why
      // nobody waits for it.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try/catch/finally skips the catch: await it there.
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      // Re-rejecting a caught error (of type unknown) is fine; rejecting with a string is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // A switch over a union lists every member, `default:` or not: a new action, kind or field
      // is then a lint error at every switch that has to decide about it. A switch over a plain
      // string or number says what the others do with a `default:`.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: true },
      ],
      // Unused code goes; `_name` marks a binding that must be there (a parameter before a used
      // one, a property taken out of an object by destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-unused-expressions': 'error',
      // The fake answers early by throwing { reply } (test/fake/http.ts), caught by its dispatcher.
      '@typescript-eslint/only-throw-error': ['error', { allow: [{ from: 'file', name: 'ReplyThrow' }] }],

      // Off: JSON.parse, YAML and parsed CLI output are `any`; the code narrows them where it
      // matters, and tests read them directly. The five rules would ask for ~230 casts.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Off: every finding was `String(x)` of an `unknown` JSON value, a deliberate coercion.
      '@typescript-eslint/no-base-to-string': 'off',
      // Off: an `async` function without `await` is how an implementation meets an async
      // interface (fakes, kinds); 41 findings, none a bug.
      '@typescript-eslint/require-await': 'off',
      // Off: every finding was a method used without calling it (a truthiness check, `test.skip`,
      // destructuring a fake whose methods are arrow functions).
      '@typescript-eslint/unbound-method': 'off',
      // Off: the sanitisers and the tests match control characters on purpose (ANSI escapes, NUL).
      'no-control-regex': 'off',
      // Off: tests match rendered indentation; / {4}x/ is no clearer than the spaces themselves.
      'no-regex-spaces': 'off',
    },
  },
  {
    name: 'labelform/javascript',
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      sourceType: 'module',
      // bin/labelform.js and bench/naive-import.mjs run on Node; these are the globals they use.
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly' },
    },
  },
);
