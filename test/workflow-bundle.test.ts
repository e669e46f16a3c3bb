import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildIdOf } from '../src/worker/build-id.js';
import { chooseWorkflowSource, sourcesPathOf, WORKFLOWS_PATH } from '../src/worker/workflow-bundle.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSX_CLI = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const run = promisify(execFile);
import { tempFolders } from './helpers/temp-folders.js';

const tempDir = tempFolders('recoil-bundle-test-');

/** A copy of the suite's bundle (built by buildWorkflowBundle, as `npm run build` does), sources record included. */
async function copyOfSuiteBundle(): Promise<string> {
  const bundle = join(await tempDir(), 'workflow-bundle.js');
  await copyFile(inject('workflowBundlePath'), bundle);
  await copyFile(sourcesPathOf(inject('workflowBundlePath')), sourcesPathOf(bundle));
  return bundle;
}

async function recordedSources(bundle: string): Promise<Record<string, string>> {
  return (JSON.parse(await readFile(sourcesPathOf(bundle), 'utf8')) as { sources: Record<string, string> }).sources;
}


describe('the workflow bundle', () => {
  it('holds no zod: workflows take validated input, and the bundle stays small', async () => {
    const code = await readFile(inject('workflowBundlePath'), 'utf8');
    expect(code).toContain('sequenceWorkflow');
    expect([...new Set(code.match(/node_modules\/zod\/[\w/.-]+/g) ?? [])]).toEqual([]);
  });
});

describe('the build a bundle is', () => {
  it('is the same build whichever folder the bundling starts from (module ids and the source map do not leak it)', async () => {
    const elsewhere = await tempDir();
    const out = join(elsewhere, 'bundle.js');
    await run(process.execPath, [TSX_CLI, join(REPO_ROOT, 'src', 'worker', 'build.ts'), out], { cwd: elsewhere, timeout: 110_000 });
    const [here, there] = await Promise.all([readFile(inject('workflowBundlePath'), 'utf8'), readFile(out, 'utf8')]);
    expect(buildIdOf(there)).toBe(buildIdOf(here));
  }, 120_000);
});

describe('which workflow code a worker runs', () => {
  it('records every repository file the bundle was built from, and the lock file for the dependencies', async () => {
    const files = Object.keys(await recordedSources(await copyOfSuiteBundle()));
    expect(files).toEqual(expect.arrayContaining(['src/workflows/index.ts', 'src/workflows/sequence-workflow.ts', 'src/domain/ids.ts', 'package-lock.json']));
    expect(files.filter((file) => file.includes('node_modules') || !/\.(ts|json)$/.test(file))).toEqual([]);
  });

  it('uses a prebuilt bundle whose sources are unchanged', async () => {
    const bundle = await copyOfSuiteBundle();
    const source = await chooseWorkflowSource({ RECOIL_WORKFLOW_BUNDLE: bundle });
    expect(source.options).toEqual({ workflowBundle: { codePath: bundle } });
    expect(source.description).toBe(`prebuilt bundle ${bundle}`);
  });

  it('bundles at start, naming the changed file, when a source changed since the build', async () => {
    const bundle = await copyOfSuiteBundle();
    const sources = await recordedSources(bundle);
    await writeFile(sourcesPathOf(bundle), JSON.stringify({ sources: { ...sources, 'src/workflows/sequence-workflow.ts': 'the hash of an older version' } }));
    const source = await chooseWorkflowSource({ RECOIL_WORKFLOW_BUNDLE: bundle });
    expect(source.options).toEqual({ workflowsPath: WORKFLOWS_PATH });
    expect(source.description).toBe(`bundled at start (${bundle} is older than src/workflows/sequence-workflow.ts; \`npm run build\` makes one)`);
  });

  it('bundles at start when there is no bundle, or no record of what it was built from', async () => {
    const dir = await tempDir();
    const missing = await chooseWorkflowSource({ RECOIL_WORKFLOW_BUNDLE: join(dir, 'workflow-bundle.js') });
    expect(missing.options).toEqual({ workflowsPath: WORKFLOWS_PATH });
    expect(missing.description).toContain(`no prebuilt bundle at ${join(dir, 'workflow-bundle.js')}`);

    const unrecorded = join(dir, 'unrecorded.js');
    await copyFile(inject('workflowBundlePath'), unrecorded);
    expect((await chooseWorkflowSource({ RECOIL_WORKFLOW_BUNDLE: unrecorded })).options).toEqual({ workflowsPath: WORKFLOWS_PATH });
  });
});
