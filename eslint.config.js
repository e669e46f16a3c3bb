// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** An import of one of these layers, however many `../` lead to it. */
const layer = (...names) => `^(\\.\\.?/)+(${names.join('|')})(/|\\.js$|$)`;

const NODE_BUILTINS = { regex: '^node:', message: 'no I/O here: node modules belong in activities, the client or the worker' };
const ZOD = { regex: '^zod$', message: 'zod stays out of this layer (and out of the workflow bundle): validate at the edges' };

/** `no-restricted-imports` for one folder: what it must not import, and why. */
const boundary = (files, ...patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'artifacts/', '.recoil/', 'test/fixtures/', 'dist/', '.build-b-*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits loses its error and, in a workflow, its place in the history.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Unused code is the compiler's job (noUnusedLocals, noUnusedParameters): one judge, one message.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  {
    // Tests and fakes read JSON from outside (request bodies, OTIO files) whose shape is what they check.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Configuration comes in through createActivities(deps) and workflow inputs, never from the environment.
    files: ['src/domain/**', 'src/contract/**', 'src/workflows/**', 'src/activities/**'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read the environment in the worker or the client, and pass what is needed in' }] },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // The console's one script runs in the reviewer's browser.
    files: ['src/console/static/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  // The import boundaries: domain is pure; workflows only orchestrate; activities do the I/O.
  boundary(
    ['src/domain/**'],
    { regex: layer('workflows', 'activities', 'client', 'worker', 'contract', 'project', 'config', 'temporal'), message: 'src/domain imports no other layer' },
    { regex: '^@temporalio/', message: 'src/domain knows nothing of Temporal' },
    NODE_BUILTINS,
  ),
  boundary(
    ['src/contract/**'],
    { regex: layer('workflows', 'activities', 'client', 'worker', 'project', 'config', 'temporal'), message: 'src/contract imports only domain types' },
    { regex: layer('domain'), allowTypeImports: true, message: 'src/contract imports only domain types: use `import type`' },
    ZOD,
    NODE_BUILTINS,
  ),
  boundary(
    ['src/workflows/**'],
    { regex: layer('client', 'worker', 'project', 'config', 'temporal'), message: 'src/workflows imports only domain, contract and types of activities' },
    { regex: layer('activities'), allowTypeImports: true, message: 'workflows reach activities through proxyActivities: `import type` only' },
    // These domain modules hold zod schemas: importing their values would put zod in the workflow bundle.
    { regex: '(^|/)domain/(schemas|price-table-schema|zod-issues)\\.js$', allowTypeImports: true, message: 'this module pulls zod into the workflow bundle: `import type` only' },
    ZOD,
    NODE_BUILTINS,
  ),
  boundary(['src/activities/**'], { regex: layer('worker', 'client'), message: 'activities get what they need from createActivities(deps), never from the worker or the client' }),
);
