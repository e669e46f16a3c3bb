import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import writeFileAtomic from 'write-file-atomic';
import { PACKAGE_ROOT, packagePath } from '../install/package-root.js';

// From the TypeScript sources even when the worker runs compiled: the bundle, and so the build id, is one.
export const WORKFLOWS_PATH = packagePath('src', 'workflows', 'index.ts');

const REPO_ROOT = PACKAGE_ROOT;

/**
 * Bundled into every build, traced or not, so tracing never changes the build id: spans go to the
 * worker's sink, which drops them when no endpoint is set.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [packagePath('src', 'workflows', 'interceptors.ts')];

/** Where `npm run build` puts the bundle, and where a worker looks for it unless RECOIL_WORKFLOW_BUNDLE says otherwise. */
export const DEFAULT_BUNDLE_PATH = join(REPO_ROOT, 'dist', 'workflow-bundle.js');

/** Beside every bundle: the content hash of each source file that went into it, so a worker can tell a stale one. */
interface BundleSources {
  sources: Record<string, string>;
}

/** How a worker gets its workflow code, and the words its start line uses for that. */
export interface WorkflowSource {
  options: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;
  description: string;
}

export function sourcesPathOf(bundlePath: string): string {
  return bundlePath.replace(/\.js$/, '') + '.sources.json';
}

/** Bundles the workflows once (what the worker would otherwise do at every start) and records what went in. */
export async function buildWorkflowBundle(bundlePath = DEFAULT_BUNDLE_PATH, workflowsPath = WORKFLOWS_PATH): Promise<{ path: string; sourceCount: number }> {
  const files = new Set<string>();
  const code = await bundleWorkflows(workflowsPath, files);
  const sources = await hashSources(await repositorySourceFiles(files));
  await mkdir(dirname(bundlePath), { recursive: true });
  // The bundle first: a sources file always describes a bundle that is complete on disk.
  await writeFileAtomic(bundlePath, code);
  await writeFileAtomic(sourcesPathOf(bundlePath), `${JSON.stringify({ sources } satisfies BundleSources, null, 2)}\n`);
  return { path: bundlePath, sourceCount: Object.keys(sources).length };
}

/**
 * The prebuilt bundle (RECOIL_WORKFLOW_BUNDLE, else dist/workflow-bundle.js) when it exists and
 * every source file it was built from is unchanged; otherwise the workflows are bundled at start.
 */
export async function chooseWorkflowSource(env: NodeJS.ProcessEnv = process.env): Promise<WorkflowSource> {
  const bundlePath = resolve(env.RECOIL_WORKFLOW_BUNDLE ?? DEFAULT_BUNDLE_PATH);
  const shown = displayPath(bundlePath);
  const staleness = await whyNotUsable(bundlePath);
  if (staleness === undefined) return { options: { workflowBundle: { codePath: bundlePath } }, description: `prebuilt bundle ${shown}` };
  return { options: { workflowsPath: WORKFLOWS_PATH }, description: `bundled at start (${staleness}; \`npm run build\` makes one)` };
}

/**
 * The exact code a worker will run, whichever way it was given: the build id is its hash, so a
 * worker that bundles at start and one loading the same prebuilt bundle are the same build.
 */
export async function workflowCodeOf(options: WorkflowSource['options']): Promise<string> {
  const bundle = options.workflowBundle;
  if (bundle && 'code' in bundle) return bundle.code;
  if (bundle && 'codePath' in bundle) return readFile(bundle.codePath, 'utf8');
  return bundleWorkflows(options.workflowsPath ?? WORKFLOWS_PATH, new Set());
}

async function bundleWorkflows(workflowsPath: string, files: Set<string>): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: quietLogger,
    // Module ids are paths from the context: the repository, not the caller's folder, so the same code
    // bundles to the same bundle (and build id) from wherever a worker is started.
    webpackConfigHook: (config) => ({ ...config, context: REPO_ROOT, plugins: [...(config.plugins ?? []), recordFilesInto(files)] }),
  });
  return code;
}

async function whyNotUsable(bundlePath: string): Promise<string | undefined> {
  const shown = displayPath(bundlePath);
  if (!(await isFile(bundlePath))) return `no prebuilt bundle at ${shown}`;
  const recorded = await readSources(sourcesPathOf(bundlePath));
  if (!recorded) return `${shown} has no readable ${displayPath(sourcesPathOf(bundlePath))}`;
  const current = await hashSources(Object.keys(recorded.sources));
  const changed = Object.keys(recorded.sources).find((file) => current[file] !== recorded.sources[file]);
  return changed === undefined ? undefined : `${shown} is older than ${changed}`;
}

/** Webpack reports every file it read; the ones in this repository decide whether a bundle is stale. */
function recordFilesInto(files: Set<string>) {
  return {
    apply(compiler: { hooks: { afterCompile: { tap(name: string, fn: (compilation: { fileDependencies: Iterable<string> }) => void): void } } }) {
      compiler.hooks.afterCompile.tap('recoil-bundle-sources', (compilation) => {
        for (const file of compilation.fileDependencies) files.add(file);
      });
    },
  };
}

// Dependencies are pinned by the lock file, so it stands for everything under node_modules.
async function repositorySourceFiles(files: Set<string>): Promise<string[]> {
  const inRepo = [...files, join(REPO_ROOT, 'package-lock.json')]
    .map((file) => relative(REPO_ROOT, file))
    .filter((file) => file !== '' && !file.startsWith('..') && !isAbsolute(file) && !file.split(/[\\/]/).includes('node_modules'));
  const regular = await Promise.all(inRepo.map(async (file) => ((await isFile(join(REPO_ROOT, file))) ? file : undefined)));
  return [...new Set(regular.filter((file): file is string => file !== undefined))].sort();
}

async function hashSources(files: string[]): Promise<Record<string, string>> {
  const hashes = await Promise.all(files.map(async (file) => [file, await hashFile(join(REPO_ROOT, file))] as const));
  return Object.fromEntries(hashes);
}

async function hashFile(path: string): Promise<string> {
  const content = await readFile(path).catch(() => undefined);
  return content === undefined ? 'missing' : createHash('sha256').update(content).digest('hex');
}

async function readSources(path: string): Promise<BundleSources | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<BundleSources>;
    return typeof parsed.sources === 'object' && parsed.sources !== null ? (parsed as BundleSources) : undefined;
  } catch {
    return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

function displayPath(path: string): string {
  const inRepo = relative(REPO_ROOT, path);
  return inRepo.startsWith('..') || isAbsolute(inRepo) ? path : inRepo;
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
