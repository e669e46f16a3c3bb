import { realpath } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { ArtifactStore } from '../store/artifact-store.js';
import { deliveriesDir } from '../store/delivery/list-deliveries.js';
import { DELIVERY_MANIFEST_FILE, readDeliveryManifest } from '../store/delivery/delivery-manifest.js';
import { deliveryFiles } from '../store/delivery/delivery-files.js';
import { gridDir, GRID_IMAGE_FILE, readGridManifest } from '../store/grids/grid-folders.js';
import { MANIFEST_FILE, readManifest } from '../store/takes/take-manifest.js';
import { takeDir } from '../store/takes/take-folders.js';
import { versionName } from '../domain/editorial/cut.js';
import type { EpisodeRef, SequenceRef } from './refs.js';

/**
 * Media files are found through the manifests the pipeline wrote (a URL names a take, a grid or a
 * delivery, never a path), then confined to the artifacts tree: no hidden folder, and in a local
 * folder no symlink out of it. The paths returned are the store's, served by serveStored.
 */
export class MediaLibrary {
  constructor(private readonly store: ArtifactStore) {}

  private get root(): string {
    return this.store.root;
  }

  async takeVideo(ref: SequenceRef, take: number): Promise<string | undefined> {
    const dir = takeDir(this.root, { ...ref, take });
    const manifest = await readManifest(this.store, join(dir, MANIFEST_FILE)).catch(() => undefined);
    return manifest?.video ? this.confine(resolve(dir, manifest.video.file)) : undefined;
  }

  /** The take's video in this process's mirror, for reading its frames. */
  async localTakeVideo(ref: SequenceRef, take: number): Promise<string | undefined> {
    const video = await this.takeVideo(ref, take);
    return video && (await this.store.fetch(video)) ? video : undefined;
  }

  async takeStartFrame(ref: SequenceRef, take: number): Promise<string | undefined> {
    const dir = takeDir(this.root, { ...ref, take });
    const manifest = await readManifest(this.store, join(dir, MANIFEST_FILE)).catch(() => undefined);
    return manifest?.inputs.startFrameFile ? this.confine(resolve(dir, manifest.inputs.startFrameFile)) : undefined;
  }

  /** quadrant 0 is the whole grid image. */
  async gridImage(ref: SequenceRef, grid: number, quadrant: number): Promise<string | undefined> {
    const dir = gridDir(this.root, ref, grid);
    const manifest = await readGridManifest(this.store, dir).catch(() => undefined);
    if (!manifest) return undefined;
    const file = quadrant === 0 ? GRID_IMAGE_FILE : manifest.quadrants[quadrant - 1];
    return file ? this.confine(resolve(dir, file)) : undefined;
  }

  /** The cut, the manifest itself, or the manifest's n-th file. */
  async deliveryFile(ref: EpisodeRef, version: number, which: 'cut' | 'manifest' | number): Promise<string | undefined> {
    const dir = join(deliveriesDir(this.root, ref.projectId, ref.episode), versionName(version));
    if (which === 'cut') return this.confine(join(dir, deliveryFiles(ref.episode).cut));
    if (which === 'manifest') return this.confine(join(dir, DELIVERY_MANIFEST_FILE));
    const index = which;
    const manifest = await readDeliveryManifest(this.store, dir).catch(() => undefined);
    const file = manifest?.files[index];
    return file ? this.confine(resolve(dir, file.path)) : undefined;
  }

  private async confine(path: string): Promise<string | undefined> {
    const visible = (root: string, file: string) => {
      const rest = relative(root, file);
      return rest !== '' && !rest.startsWith(`..${sep}`) && !rest.split(sep).some((part) => part.startsWith('.'));
    };
    if (this.store.kind === 'bucket') return visible(this.root, path) ? path : undefined;
    try {
      const [root, real] = await Promise.all([realpath(this.root), realpath(path)]);
      return visible(root, real) ? real : undefined;
    } catch {
      return undefined;
    }
  }
}
