import { randomUUID } from 'node:crypto';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorkflowBundle, sourcesPathOf } from '../../src/worker/workflow-bundle.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Where each workflow's body begins, and the step build B adds there.
const FIRST_LINES = {
  'sequence-workflow.ts': 'export async function sequenceWorkflow(input: SequenceInput): Promise<SequenceStatus> {',
  'episode-workflow.ts': 'export async function episodeWorkflow(input: EpisodeInput): Promise<EpisodeSummary> {',
};
const EXTRA_STEP = "\n  await sleep('10 ms'); // build B: a step no history recorded by build A has";

/**
 * "Build B": today's workflows with one extra step at the start of every sequence and episode, the
 * kind of change that fails each history recorded before it on replay. Bundled from a copy of src/
 * inside the repository (so node_modules resolves) that is removed again; returns the bundle's path.
 */
export async function bundleIncompatibleBuild(outDir: string): Promise<string> {
  const copy = join(REPO_ROOT, `.build-b-${randomUUID()}`);
  try {
    await cp(join(REPO_ROOT, 'src'), join(copy, 'src'), { recursive: true });
    for (const [file, firstLine] of Object.entries(FIRST_LINES)) await addFirstStep(join(copy, 'src', 'workflows', file), firstLine);
    await mkdir(outDir, { recursive: true });
    const { path } = await buildWorkflowBundle(join(outDir, 'build-b.js'), join(copy, 'src', 'workflows', 'index.ts'));
    // Like a release image's bundle, B was built from sources this checkout does not have: a worker
    // given it has nothing here to call it stale against.
    await writeFile(sourcesPathOf(path), `${JSON.stringify({ sources: {} })}\n`);
    return path;
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

async function addFirstStep(path: string, firstLine: string): Promise<void> {
  const source = await readFile(path, 'utf8');
  if (!source.includes(firstLine)) throw new Error(`${path} no longer starts its workflow with "${firstLine}": update test/helpers/incompatible-build.ts`);
  await writeFile(path, `import { sleep } from '@temporalio/workflow';\n${source.replace(firstLine, firstLine + EXTRA_STEP)}`);
}
