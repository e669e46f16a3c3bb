import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { S3Client } from '@aws-sdk/client-s3';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteRange, serveStored } from '../src/console/serve-stored.js';
import { ensureSeaweedFs, s3ClientOf, startS3Server, type S3Server } from './helpers/s3-server.js';
import type { ArtifactStore } from '../src/store/artifact-store.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';
import { S3Store } from '../src/store/s3-store.js';
import { parseBucketUrl, storeFromEnv } from '../src/store/store-from-env.js';
import { claimTakeFolder } from '../src/store/takes/take-folders.js';
import type { TakeManifest } from '../src/store/takes/take-manifest.js';

let scratch: string;
let server: S3Server;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'recoil-store-test-'));
  await ensureSeaweedFs((line) => console.log(`[seaweedfs] ${line}`));
  server = await startS3Server({ dataDir: join(scratch, 's3'), bucket: 'recoil', report: () => undefined, logFile: join(scratch, 'weed.log') });
}, 900_000);

afterAll(async () => {
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Two processes' views of one store: each with a mirror of its own (the folder store has one mirror, itself). */
interface Backend {
  name: string;
  open(): Promise<[ArtifactStore, ArtifactStore]>;
}

let opened = 0;
const backends: Backend[] = [
  {
    name: 'a local folder',
    async open() {
      const root = join(scratch, `folder-${++opened}`);
      return [new LocalFolderStore(root), new LocalFolderStore(root)];
    },
  },
  {
    name: 'an S3 bucket (SeaweedFS)',
    async open() {
      const prefix = `tree-${++opened}`;
      const view = (name: string) => new S3Store({ bucket: server.bucket, prefix, cacheDir: join(scratch, `${prefix}-${name}`), client: s3Client() });
      return [view('worker-a'), view('worker-b')];
    },
  },
];

function s3Client(): S3Client {
  return s3ClientOf(server);
}

describe.each(backends)('the artifacts store in $name', (backend) => {
  it('creates a file once: of five writers racing for one name exactly one wins, and its text stays', async () => {
    const [a, b] = await backend.open();
    const path = (store: ArtifactStore) => join(store.root, 'p', 'EP001', 'SEQ01', 'takes', 't001', 'take.json');
    const wins = await Promise.all([0, 1, 2, 3, 4].map((i) => (i % 2 ? a : b).createText(path(i % 2 ? a : b), `writer ${i}`)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await b.readText(path(b))).toBe(`writer ${wins.indexOf(true)}`);
    expect(await a.createText(path(a), 'late')).toBe(false);
  });

  it('replaces small files whole, says when there is none, and lists a folder by its children', async () => {
    const [a, b] = await backend.open();
    const dir = join(a.root, 'p', 'EP001', 'SEQ01', 'takes');
    expect(await a.readText(join(dir, 't001', 'take.json'))).toBeUndefined();
    expect(await a.list(dir)).toEqual([]);
    await a.writeText(join(dir, 't001', 'take.json'), 'first');
    await a.writeText(join(dir, 't001', 'take.json'), 'second');
    await a.writeText(join(dir, 't002', 'take.json'), 'other');
    expect(await b.readText(join(b.root, 'p', 'EP001', 'SEQ01', 'takes', 't001', 'take.json'))).toBe('second');
    expect((await b.list(join(b.root, 'p', 'EP001', 'SEQ01', 'takes'))).sort()).toEqual(['t001', 't002']);
    expect((await b.list(join(b.root, 'p', 'EP001', 'SEQ01', 'takes', 't001'))).sort()).toEqual(['take.json']);
  });

  it('publishes a file one process made, fetches it into another, and fetches again only what changed', async () => {
    const [a, b] = await backend.open();
    const made = join(a.root, 'p', 'EP001', 'SEQ01', 'clean', 'start_frame.png');
    await mkdir(join(a.root, 'p', 'EP001', 'SEQ01', 'clean'), { recursive: true });
    await writeFile(made, 'frame one');
    expect(await a.publish(made)).toBe(true);
    const seen = b.pathOf(a.location(made));
    expect(await b.fetch(seen)).toBe(true);
    expect(await readFile(seen, 'utf8')).toBe('frame one');
    await writeFile(made, 'frame two, longer');
    await a.publish(made);
    expect(await b.fetch(seen)).toBe(true);
    expect(await readFile(seen, 'utf8')).toBe('frame two, longer');
    expect(await b.stat(seen)).toMatchObject({ size: 'frame two, longer'.length });
    if (b instanceof S3Store) {
      // Rewritten in the mirror and never published (a crash before the upload): the stored one wins.
      await writeFile(seen, 'frame two, LONGER');
      expect(await b.fetch(seen)).toBe(true);
      expect(await readFile(seen, 'utf8')).toBe('frame two, longer');
    }
    expect(await b.fetch(join(b.root, 'p', 'nothing.png'))).toBe(false);
  });

  it('never replaces a file published only-if-absent', async () => {
    const [a, b] = await backend.open();
    const video = (store: ArtifactStore) => join(store.root, 'p', 'EP001', 'SEQ01', 'takes', 't001', 'video.mp4');
    await mkdir(join(a.root, 'p', 'EP001', 'SEQ01', 'takes', 't001'), { recursive: true });
    await writeFile(video(a), 'the paid-for take');
    expect(await a.publish(video(a), { ifAbsent: true })).toBe(true);
    if (b instanceof S3Store) {
      await mkdir(join(b.root, 'p', 'EP001', 'SEQ01', 'takes', 't001'), { recursive: true });
      await writeFile(video(b), 'an impostor');
      expect(await b.publish(video(b), { ifAbsent: true })).toBe(false);
    }
    const read = await b.read(video(b));
    expect(await text(read!.body)).toBe('the paid-for take');
  });

  it('streams a byte range of a stored file', async () => {
    const [a, b] = await backend.open();
    const file = join(a.root, 'p', 'bytes.bin');
    await mkdir(join(a.root, 'p'), { recursive: true });
    await writeFile(file, '0123456789');
    await a.publish(file);
    const part = await b.read(b.pathOf(a.location(file)), { start: 2, end: 5 });
    expect(part?.size).toBe(10);
    expect(await text(part!.body)).toBe('2345');
  });

  it('publishes a folder whole, and only once per name', async () => {
    const [a, b] = await backend.open();
    const parent = join(a.root, 'p', 'EP001', 'delivery');
    const staged = async (label: string) => {
      const dir = join(scratch, `staging-${++opened}`);
      await mkdir(join(dir, 'media'), { recursive: true });
      await writeFile(join(dir, 'media', 'take.mov'), `media ${label}`);
      await writeFile(join(dir, 'manifest.json'), `{"by":"${label}"}`);
      return dir;
    };
    expect(await a.publishFolder(await staged('first'), join(parent, 'v001'), ['manifest.json'])).toBe(true);
    expect(await b.publishFolder(await staged('second'), join(b.root, 'p', 'EP001', 'delivery', 'v001'), ['manifest.json'])).toBe(false);
    expect(await b.readText(join(b.root, 'p', 'EP001', 'delivery', 'v001', 'manifest.json'))).toBe('{"by":"first"}');
    const media = join(b.root, 'p', 'EP001', 'delivery', 'v001', 'media', 'take.mov');
    expect(await b.fetch(media)).toBe(true);
    expect(await readFile(media, 'utf8')).toBe('media first');
  });

  it('lets one workflow run claim a take: a second run is refused, a retry of the first resumes it', async () => {
    const [a, b] = await backend.open();
    const mine = takeManifest('sequence/run-1');
    const theirs = takeManifest('sequence/run-2');
    const [first, second] = await Promise.allSettled([claimTakeFolder(a, mine), claimTakeFolder(b, theirs)]);
    const won = [first, second].filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect([first, second].find((r) => r.status === 'rejected')?.reason).toMatchObject({ type: 'TakeConflict' });
    const winner = (won[0] as PromiseFulfilledResult<TakeManifest>).value;
    expect(await claimTakeFolder(a, winner)).toEqual(winner);
  });

  it('maps locations between processes, and tells its own from a project file', async () => {
    const [a, b] = await backend.open();
    const path = join(a.root, 'p', 'EP001', 'SEQ01', 'clean', 'start_frame.png');
    const location = a.location(path);
    expect(b.pathOf(location)).toBe(join(b.root, 'p', 'EP001', 'SEQ01', 'clean', 'start_frame.png'));
    expect(b.holds(location)).toBe(true);
    expect(b.holds('/home/studio/projects/driver-beware/refs/mara.png')).toBe(false);
    if (a instanceof S3Store) expect(location).toMatch(/^s3:\/\/recoil\/tree-\d+\/p\/EP001\/SEQ01\/clean\/start_frame\.png$/);
    else expect(location).toBe(path);
  });
});

describe('the console serves stored media by byte range', () => {
  it('answers 200 whole, 206 for a range, 416 past the end, from a bucket', async () => {
    const [store] = await backends[1]!.open();
    const file = join(store.root, 'p', 'take.mp4');
    await mkdir(join(store.root, 'p'), { recursive: true });
    await writeFile(file, 'abcdefghij');
    await store.publish(file);
    const app = new Hono().get('/media', (c) => serveStored(c, store, file));
    const whole = await app.request('/media');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(await whole.text()).toBe('abcdefghij');
    const part = await app.request('/media', { headers: { range: 'bytes=3-6' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 3-6/10');
    expect(await part.text()).toBe('defg');
    const tail = await app.request('/media', { headers: { range: 'bytes=-2' } });
    expect(await tail.text()).toBe('ij');
    const past = await app.request('/media', { headers: { range: 'bytes=20-' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */10');
  });

  it('reads Range headers as RFC 9110 does, ignoring what it does not support', () => {
    expect(byteRange('bytes=0-', 10)).toEqual({ start: 0, end: 9 });
    expect(byteRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(byteRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(byteRange('bytes=9-2', 10)).toBe('unsatisfiable');
    expect(byteRange('bytes=0-1,4-5', 10)).toBeUndefined();
    expect(byteRange('items=0-1', 10)).toBeUndefined();
  });
});

describe('RECOIL_ARTIFACTS_URL', () => {
  it('opens the bucket an environment names, with the keys it holds, and refuses wrong keys', async () => {
    const env = (secret: string) => ({
      RECOIL_ARTIFACTS_URL: `s3://${server.bucket}/from-env`,
      RECOIL_S3_ENDPOINT: server.endpoint,
      RECOIL_S3_PATH_STYLE: '1',
      AWS_ACCESS_KEY_ID: server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: secret,
      RECOIL_ARTIFACTS_DIR: join(scratch, `env-cache-${++opened}`),
    });
    const hello = (store: ArtifactStore) => join(store.root, 'hello.txt');
    const store = storeFromEnv(env(server.secretAccessKey));
    expect(store.where).toBe(`s3://${server.bucket}/from-env`);
    await store.writeText(hello(store), 'hi');
    const other = storeFromEnv(env(server.secretAccessKey));
    expect(await other.readText(hello(other))).toBe('hi');
    const stranger = storeFromEnv(env('not-the-secret'));
    await expect(stranger.readText(hello(stranger))).rejects.toThrow();
    expect(storeFromEnv({ RECOIL_ARTIFACTS_DIR: join(scratch, 'plain') })).toBeInstanceOf(LocalFolderStore);
  });

  it('names a bucket and an optional prefix, and is refused with the fix when it does not', () => {
    expect(parseBucketUrl('s3://recoil')).toEqual({ bucket: 'recoil', prefix: '' });
    expect(parseBucketUrl('s3://recoil/studio/artifacts/')).toEqual({ bucket: 'recoil', prefix: 'studio/artifacts' });
    expect(() => parseBucketUrl('https://recoil.s3.amazonaws.com')).toThrow(/RECOIL_ARTIFACTS_URL=.* is not s3:\/\/bucket/);
    expect(() => parseBucketUrl('s3://A_Bucket')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

function takeManifest(owner: string): TakeManifest {
  const [workflowId, runId] = owner.split('/') as [string, string];
  return {
    schemaVersion: 1,
    projectId: 'p',
    episode: 'EP001',
    sequenceId: 'SEQ01',
    take: 1,
    owner: { workflowId, runId },
    provider: 'local',
    model: 'local-animatic',
    inputs: { shots: [], elements: [], startFrame: undefined, aspectRatio: '16:9', resolution: { width: 1280, height: 720 }, generateAudio: false, totalDurationSec: 0 },
    status: 'submitting',
    estimatedCostUsd: 0,
    decisions: [],
    times: { createdAt: new Date().toISOString() },
  } as unknown as TakeManifest;
}
