import { createReadStream } from 'node:fs';
import { chmod, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { ArtifactStore, ByteRange, StoredBytes, StoredFile } from './artifact-store.js';
import { errorCode, isUnder } from './paths.js';

/** The artifacts tree in a folder of this machine (RECOIL_ARTIFACTS_DIR): the mirror is the tree itself. */
export class LocalFolderStore implements ArtifactStore {
  readonly kind = 'folder';
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get where(): string {
    return this.root;
  }

  location(path: string): string {
    return this.inside(path);
  }

  pathOf(location: string): string {
    return this.inside(isAbsolute(location) ? location : join(this.root, location));
  }

  holds(location: string): boolean {
    return isAbsolute(location) && isUnder(this.root, resolve(location));
  }

  async readText(path: string): Promise<string | undefined> {
    return readFile(this.inside(path), 'utf8').catch((err: unknown) => {
      if (errorCode(err) === 'ENOENT') return undefined;
      throw err;
    });
  }

  async writeText(path: string, text: string): Promise<void> {
    const target = this.inside(path);
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomic(target, text);
  }

  // A hard link fails when the name is taken, so exactly one writer gets it, whole.
  async createText(path: string, text: string): Promise<boolean> {
    const target = this.inside(path);
    await mkdir(dirname(target), { recursive: true });
    const draft = join(dirname(target), `.${basename(target)}-${randomUUID()}`);
    await writeFile(draft, text);
    try {
      await link(draft, target);
      return true;
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return false;
      throw err;
    } finally {
      await rm(draft, { force: true });
    }
  }

  list(dir: string): Promise<string[]> {
    return readdir(this.inside(dir)).catch(() => []);
  }

  async stat(path: string): Promise<StoredFile | undefined> {
    const found = await stat(this.inside(path)).catch(() => undefined);
    return found?.isFile() ? { size: found.size, modifiedAt: found.mtime } : undefined;
  }

  async remove(path: string): Promise<void> {
    await rm(this.inside(path), { force: true });
  }

  async fetch(path: string): Promise<boolean> {
    return (await this.stat(path)) !== undefined;
  }

  async publish(path: string): Promise<boolean> {
    this.inside(path);
    return true;
  }

  // One rename: the folder appears complete or not at all, and never over another.
  async publishFolder(staging: string, dir: string): Promise<boolean> {
    const target = this.inside(dir);
    await mkdir(dirname(target), { recursive: true });
    await chmod(staging, 0o755); // mkdtemp makes folders private; artifacts are shared with the team
    try {
      await rename(staging, target);
      return true;
    } catch (err) {
      const code = errorCode(err);
      if (code === 'EEXIST' || code === 'ENOTEMPTY') return false;
      throw err;
    }
  }

  async read(path: string, range?: ByteRange): Promise<StoredBytes | undefined> {
    const found = await this.stat(path);
    if (!found) return undefined;
    return { body: createReadStream(this.inside(path), range), size: found.size, ...(range ? { range } : {}) };
  }

  private inside(path: string): string {
    const absolute = resolve(path);
    if (!isUnder(this.root, absolute)) throw new Error(`${path} is outside the artifacts folder ${this.root}`);
    return absolute;
  }
}
