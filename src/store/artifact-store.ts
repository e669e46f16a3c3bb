import type { Readable } from 'node:stream';

/** What the store knows of one stored file. */
export interface StoredFile {
  size: number;
  modifiedAt: Date;
}

/** Bytes `start` to `end`, both included, as an HTTP Range names them. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredBytes {
  body: Readable;
  /** The whole file's size, whatever part of it `body` carries. */
  size: number;
  range?: ByteRange;
}

/**
 * The artifacts tree (takes, grids, clean/ start frames, deliveries, review links) wherever it is
 * kept: a local folder or an S3-compatible bucket. Every process sees the tree through a folder of
 * its own, `root`, that mirrors it: files are fetched into it before they are read and published from
 * it once they are made. For the local folder the mirror is the tree itself and both are no-ops.
 *
 * Paths are paths under `root`; what is passed between processes (workflow data, results shown to
 * people) is a location, which every process maps back to its own root.
 */
export interface ArtifactStore {
  /** A folder of this machine (the mirror is the tree itself), or a bucket (the mirror is a cache). */
  readonly kind: 'folder' | 'bucket';
  /** The local folder that mirrors the store. */
  readonly root: string;
  /** Where the artifacts are kept, for people: a folder, or s3://bucket/prefix. */
  readonly where: string;
  /** A path under root as any process can find it again: the path itself, or s3://bucket/prefix/key. */
  location(path: string): string;
  /** A location (or a path under root) as a path under this process's root. */
  pathOf(location: string): string;
  /** Whether a location (or path) names something in the store, rather than a file elsewhere (a project's). */
  holds(location: string): boolean;

  /** A small text file (the manifests), read from the store itself; undefined when there is none. */
  readText(path: string): Promise<string | undefined>;
  /** Replaces a small text file at once: a reader sees the old text or the new, never part of one. */
  writeText(path: string, text: string): Promise<void>;
  /** Writes a small text file only if there is none yet; false when one was there first. */
  createText(path: string, text: string): Promise<boolean>;
  /** The names directly inside a folder (files and folders), in no order; none when it holds nothing. */
  list(dir: string): Promise<string[]>;
  stat(path: string): Promise<StoredFile | undefined>;
  /** Removes a stored file (markers only: takes and deliveries are never removed); no error when absent. */
  remove(path: string): Promise<void>;

  /** Makes the file at `path` under root the stored one, downloading it if needed; false when nothing is stored there. */
  fetch(path: string): Promise<boolean>;
  /** Stores the file made at `path` under root. With `ifAbsent`, false (and nothing written) when the store already had one. */
  publish(path: string, options?: { ifAbsent?: boolean }): Promise<boolean>;
  /**
   * Stores a folder made outside root as `dir`, whole, and only if nobody stored `dir` first (false then).
   * Files named in `last` go after the others: their presence says the folder is complete.
   */
  publishFolder(staging: string, dir: string, last?: readonly string[]): Promise<boolean>;
  /** Streams a stored file, or part of it. */
  read(path: string, range?: ByteRange): Promise<StoredBytes | undefined>;
}

export async function readJson<T>(store: ArtifactStore, path: string): Promise<T | undefined> {
  const text = await store.readText(path);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

export function writeJson(store: ArtifactStore, path: string, value: unknown): Promise<void> {
  return store.writeText(path, jsonText(value));
}

export function createJson(store: ArtifactStore, path: string, value: unknown): Promise<boolean> {
  return store.createText(path, jsonText(value));
}

function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * The mirror's copy of a stored file, for reading: fetched first. `missing` makes the error for
 * when nothing is stored there.
 */
export async function fetched(store: ArtifactStore, path: string, missing: () => Error): Promise<string> {
  if (!(await store.fetch(path))) throw missing();
  return path;
}

/**
 * A file an activity reads, named by a location in workflow data: an artifact (fetched into this
 * process's mirror) or a file outside the store, such as a project's image, read where it is.
 */
export async function readableFile(store: ArtifactStore, location: string, missing: () => Error): Promise<string> {
  return store.holds(location) ? fetched(store, store.pathOf(location), missing) : location;
}
