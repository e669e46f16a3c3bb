// @ts-check
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** An import of one of these layers, however many `../` lead to it. */
const layer = (...names) => `^(\\.\\.?/)+(${names.join('|')})(/|\\.js$|$)`;

const NODE_BUILTINS = { regex: '^node:', message: 'no I/O here: node modules belong in activities, the client or the worker' };
const ZOD = { regex: '^zod$', message: 'zod stays out of this layer (and out of the workflow bundle): validate at the edges' };

/**
 * Every folder of src/, lowest first. A folder may import the folders before it, never one after it:
 * the pure core at the bottom, the CLI at the top, and between them the store below the activities,
 * and what the CLI and the console share (review/) below both.
 */
const LAYERS = [
  'domain', 'contract', 'install', 'project', 'config', 'temporal', 'store',
  'activities', 'workflows', 'review', 'console', 'codec', 'telemetry', 'worker', 'client',
];

// A new folder gets a place in LAYERS before anything lints: no folder escapes the rule.
const unplaced = readdirSync(new URL('./src', import.meta.url), { withFileTypes: true }).filter((e) => e.isDirectory() && !LAYERS.includes(e.name));
if (unplaced.length > 0) throw new Error(`eslint.config.js: give src/${unplaced.map((e) => e.name).join(', src/')} a place in LAYERS`);

/** What a folder must not import: every folder above it. */
const importsAbove = (index) => {
  const above = LAYERS.slice(index + 1);
  return above.length === 0 ? [] : [{ regex: layer(...above), message: `src/${LAYERS[index]} sits below ${above.join(', ')} (eslint.config.js LAYERS): move shared code down, not this import up` }];
};

/** `no-restricted-imports` for one folder: what it must not import, and why. */
const boundary = (files, ...patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

/** What some folders must not import beyond the folders above them. */
const EXTRA_RULES = {
  domain: [{ regex: '^@temporalio/', message: 'src/domain knows nothing of Temporal' }, NODE_BUILTINS],
  contract: [{ regex: layer('domain'), allowTypeImports: true, message: 'src/contract imports only domain types: use `import type`' }, ZOD, NODE_BUILTINS],
  workflows: [
    { regex: layer('install', 'project', 'config', 'temporal', 'store'), message: 'src/workflows imports only domain, contract and types of activities' },
    { regex: layer('activities'), allowTypeImports: true, message: 'workflows reach activities through proxyActivities: `import type` only' },
    // These domain modules hold zod schemas: importing their values would put zod in the workflow bundle.
    { regex: '(^|/)domain/(schemas|price-table-schema|zod-issues)\\.js$', allowTypeImports: true, message: 'this module pulls zod into the workflow bundle: `import type` only' },
    ZOD,
    NODE_BUILTINS,
  ],
};

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
  // The import boundaries: every folder of src/ imports only the folders below it in LAYERS; some say more.
  ...LAYERS.map((name, index) => boundary([`src/${name}/**`], ...importsAbove(index), ...(EXTRA_RULES[name] ?? []))),
);
