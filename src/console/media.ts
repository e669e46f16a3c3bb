import { realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { deliveriesDir } from '../activities/delivery/list-deliveries.js';
import { DELIVERY_MANIFEST_FILE, readDeliveryManifest } from '../activities/delivery/delivery-manifest.js';
import { deliveryFiles } from '../activities/delivery/delivery-files.js';
import { gridDir, GRID_IMAGE_FILE, readGridManifest } from '../activities/grids/grid-folders.js';
import { MANIFEST_FILE, readManifest } from '../activities/takes/take-manifest.js';
import { takeDir } from '../activities/takes/take-folders.js';
import { versionName } from '../domain/editorial/cut.js';
import type { EpisodeRef, SequenceRef } from './refs.js';

/**
 * Media files are found through the manifests the pipeline wrote (a URL names a take, a grid or a
 * delivery, never a path), then confined to the artifacts root after symlinks are resolved.
 */
export class MediaLibrary {
  constructor(private readonly root: string) {}

  async takeVideo(ref: SequenceRef, take: number): Promise<string | undefined> {
    const dir = takeDir(this.root, { ...ref, take });
    const manifest = await readManifest(join(dir, MANIFEST_FILE)).catch(() => undefined);
    return manifest?.video ? this.confine(resolve(dir, manifest.video.file)) : undefined;
  }

  async takeStartFrame(ref: SequenceRef, take: number): Promise<string | undefined> {
    const dir = takeDir(this.root, { ...ref, take });
    const manifest = await readManifest(join(dir, MANIFEST_FILE)).catch(() => undefined);
    return manifest?.inputs.startFrameFile ? this.confine(resolve(dir, manifest.inputs.startFrameFile)) : undefined;
  }

  /** quadrant 0 is the whole grid image. */
  async gridImage(ref: SequenceRef, grid: number, quadrant: number): Promise<string | undefined> {
    const dir = gridDir(this.root, ref, grid);
    const manifest = await readGridManifest(dir).catch(() => undefined);
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
    const manifest = await readDeliveryManifest(dir).catch(() => undefined);
    const file = manifest?.files[index];
    return file ? this.confine(resolve(dir, file.path)) : undefined;
  }

  private async confine(path: string): Promise<string | undefined> {
    try {
      const [root, real] = await Promise.all([realpath(this.root), realpath(path)]);
      const inside = real.startsWith(root + sep) && !real.slice(root.length).split(sep).some((part) => part.startsWith('.'));
      return inside ? real : undefined;
    } catch {
      return undefined;
    }
  }
}
