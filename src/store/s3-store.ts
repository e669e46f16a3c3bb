import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import writeFileAtomic from 'write-file-atomic';
import type { ArtifactStore, ByteRange, StoredBytes, StoredFile } from './artifact-store.js';
import { contentTypeOf } from './content-type.js';
import { filesBelow, isUnder, keyTail } from './paths.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix under which the tree lives, without a trailing slash; empty for the bucket's top. */
  prefix: string;
  /** This process's mirror of the tree: a local cache, never shared with another process. */
  cacheDir: string;
  client: S3Client;
}

/**
 * The artifacts tree in an S3-compatible bucket. The mirror is a cache: a fetched file is kept with
 * the ETag it had, and fetched again only when the stored one changed. Writes that must not replace
 * anything use conditional puts (If-None-Match: *), which the store decides atomically.
 */
export class S3Store implements ArtifactStore {
  readonly kind = 'bucket';
  readonly root: string;
  private readonly etags: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly s3: S3Client;

  constructor(options: S3StoreOptions) {
    this.root = resolve(options.cacheDir, 'files');
    this.etags = resolve(options.cacheDir, 'etags');
    this.bucket = options.bucket;
    this.prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.s3 = options.client;
  }

  get where(): string {
    return `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  location(path: string): string {
    return `s3://${this.bucket}/${this.key(path)}`;
  }

  pathOf(location: string): string {
    const bucketUrl = `s3://${this.bucket}/`;
    if (location.startsWith(bucketUrl)) {
      const key = location.slice(bucketUrl.length);
      if (this.prefix && !key.startsWith(`${this.prefix}/`)) throw new Error(`${location} is outside the artifacts at ${this.where}`);
      const tail = this.prefix ? key.slice(this.prefix.length + 1) : key;
      return join(this.root, ...tail.split('/'));
    }
    const path = resolve(this.root, location);
    this.key(path);
    return path;
  }

  holds(location: string): boolean {
    if (location.startsWith('s3://')) return location.startsWith(`${this.where}/`);
    return isUnder(this.root, resolve(location));
  }

  async readText(path: string): Promise<string | undefined> {
    const object = await this.get(path);
    return object ? await object.Body!.transformToString('utf8') : undefined;
  }

  async writeText(path: string, text: string): Promise<void> {
    await this.put(path, { Body: text });
  }

  async createText(path: string, text: string): Promise<boolean> {
    return this.put(path, { Body: text, IfNoneMatch: '*' });
  }

  async list(dir: string): Promise<string[]> {
    const prefix = `${this.key(dir)}/`.replace(/^\//, '');
    const names: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken }));
      for (const folder of page.CommonPrefixes ?? []) names.push(folder.Prefix!.slice(prefix.length, -1));
      for (const file of page.Contents ?? []) names.push(file.Key!.slice(prefix.length));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return names.filter((name) => name !== '');
  }

  async stat(path: string): Promise<StoredFile | undefined> {
    const head = await this.head(path);
    return head && { size: head.size, modifiedAt: head.modifiedAt };
  }

  async remove(path: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
    await rm(path, { force: true });
  }

  async fetch(path: string): Promise<boolean> {
    const head = await this.head(path);
    if (!head) return false;
    if (await this.mirrorHolds(path, head)) return true;
    const object = await this.get(path);
    if (!object) return false;
    await mkdir(dirname(path), { recursive: true });
    // Downloaded beside its place and renamed: a reader of the mirror never sees half a file.
    const draft = `${path}.download-${randomUUID()}`;
    try {
      await pipeline(object.Body as Readable, createWriteStream(draft));
      await rename(draft, path);
    } finally {
      await rm(draft, { force: true });
    }
    await this.rememberEtag(path, object.ETag, path);
    return true;
  }

  async publish(path: string, options: { ifAbsent?: boolean } = {}): Promise<boolean> {
    const { size } = await stat(path);
    return this.put(path, { Body: createReadStream(path), ContentLength: size, ...(options.ifAbsent ? { IfNoneMatch: '*' } : {}) }, path);
  }

  async publishFolder(staging: string, dir: string, last: readonly string[] = []): Promise<boolean> {
    if (!(await this.createText(join(dir, '.claim'), `${new Date().toISOString()}\n`))) return false;
    const files = (await filesBelow(staging)).sort((a, b) => Number(last.includes(a)) - Number(last.includes(b)));
    for (const file of files) {
      const { size } = await stat(join(staging, file));
      await this.put(join(dir, file), { Body: createReadStream(join(staging, file)), ContentLength: size }, join(staging, file));
    }
    // The mirror keeps what was just made, so this process need not download it again.
    await mkdir(dirname(dir), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir).catch(() => undefined);
    return true;
  }

  async read(path: string, range?: ByteRange): Promise<StoredBytes | undefined> {
    const head = await this.head(path);
    if (!head) return undefined;
    const object = await this.get(path, range);
    return object ? { body: object.Body as Readable, size: head.size, ...(range ? { range } : {}) } : undefined;
  }

  private key(path: string): string {
    const absolute = resolve(path);
    if (!isUnder(this.root, absolute)) throw new Error(`${path} is outside the artifacts cache ${this.root}`);
    const tail = keyTail(this.root, absolute);
    return this.prefix ? (tail ? `${this.prefix}/${tail}` : this.prefix) : tail;
  }

  private async head(path: string): Promise<{ size: number; modifiedAt: Date; etag: string } | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      return { size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0), etag: head.ETag ?? '' };
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  private async get(path: string, range?: ByteRange) {
    try {
      return await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** False when a conditional put found the key taken. */
  /** `uploadedFrom`: the local file uploaded, which is (or, once a published folder is moved in, will be) the mirror's copy. */
  private async put(path: string, input: Pick<PutObjectCommandInput, 'Body' | 'ContentLength' | 'IfNoneMatch'>, uploadedFrom?: string): Promise<boolean> {
    try {
      const put = await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(path), ContentType: contentTypeOf(path), ...input }));
      if (uploadedFrom) await this.rememberEtag(path, put.ETag, uploadedFrom);
      return true;
    } catch (err) {
      if (input.IfNoneMatch && (isStatus(err, 412) || isStatus(err, 409))) return false;
      throw err;
    }
  }

  private etagFile(path: string): string {
    return join(this.etags, relative(this.root, resolve(path)));
  }

  /**
   * Whether the mirror's file is the stored one: the ETag it was fetched or published with, and not
   * touched since (a file rewritten in the mirror but never published has another modification time).
   */
  private async mirrorHolds(path: string, head: { etag: string; size: number }): Promise<boolean> {
    const [remembered, local] = await Promise.all([readFile(this.etagFile(path), 'utf8').catch(() => undefined), stat(path).catch(() => undefined)]);
    return local !== undefined && local.size === head.size && remembered === `${head.etag} ${local.mtimeMs}`;
  }

  private async rememberEtag(path: string, etag: string | undefined, localCopy: string): Promise<void> {
    if (!etag) return;
    const { mtimeMs } = await stat(localCopy);
    await mkdir(dirname(this.etagFile(path)), { recursive: true });
    await writeFileAtomic(this.etagFile(path), `${etag} ${mtimeMs}`);
  }
}

function isStatus(err: unknown, status: number): boolean {
  return err instanceof S3ServiceException && err.$metadata.httpStatusCode === status;
}

