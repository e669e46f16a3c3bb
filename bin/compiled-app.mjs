// Recoil runs as JavaScript compiled by tsc, never transpiled at run time. The compiled app lives in
// dist/app-<key>/, where the key is drawn from the sources' sizes and modification times: a clean
// clone, `npm run build` or the first command after an edit compiles once; every other start only
// stats the sources. Builds land by an atomic rename, so processes starting at once never see half one.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const BUILD_INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
/** Older builds kept beside the current one: a long-running worker may still load modules from its own. */
const BUILDS_KEPT = 3;

/** The folder of the compiled app for the sources as they are now, compiling them first if needed. */
export function compiledApp() {
  const dir = join(DIST, `app-${sourceKey()}`);
  if (!existsSync(dir)) compileInto(dir);
  return dir;
}

function sourceKey() {
  const hash = createHash('sha256');
  for (const input of BUILD_INPUTS) {
    for (const file of filesOf(join(ROOT, input))) {
      const { size, mtimeMs } = statSync(file);
      hash.update(`${relative(ROOT, file)}\0${size}\0${mtimeMs}\n`);
    }
  }
  return hash.digest('hex').slice(0, 12);
}

function filesOf(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

function compileInto(dir) {
  const temporary = `${dir}.tmp-${process.pid}`;
  process.stderr.write('recoil: compiling (the first start after a change to the sources)…\n');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', temporary], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    rmSync(temporary, { recursive: true, force: true });
    process.stderr.write(`${result.stdout}${result.stderr}recoil: the sources do not compile (above); fix them, or run \`npm run typecheck\`\n`);
    process.exit(1);
  }
  try {
    renameSync(temporary, dir);
  } catch (err) {
    // Another process compiled the same sources first: theirs is as good as ours.
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(dir)) throw err;
  }
  pruneOldBuilds(dir);
}

function pruneOldBuilds(current) {
  const builds = readdirSync(DIST)
    .filter((name) => /^app-[0-9a-f]+$/.test(name) && join(DIST, name) !== current)
    .map((name) => ({ path: join(DIST, name), mtimeMs: statSync(join(DIST, name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const old of builds.slice(BUILDS_KEPT)) rmSync(old.path, { recursive: true, force: true });
}
