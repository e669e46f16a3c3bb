import { randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { AesGcmCodec, CodecKeyError } from '../src/codec/aes-gcm-codec.js';
import { codecKeysFromEnv } from '../src/codec/codec-keys.js';
import { startCodecServer, type RunningCodecServer } from '../src/codec/codec-server.js';
import { dataConverterFromEnv } from '../src/codec/data-converter.js';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import { statusQuery } from '../src/contract/sequence.js';
import type { EpisodeInput } from '../src/contract/episode.js';
import { episodeWorkflowId, sequenceWorkflowId } from '../src/domain/ids.js';
import { ensureTemporalCli } from '../src/temporal/cli-binary.js';
import { startDevServer, type DevServer } from '../src/temporal/dev-server.js';
import { launchBrowser, reviewerContext, screenshot } from './helpers/browser.js';
import { runCli } from './helpers/run-cli.js';
import { makeUnit } from './helpers/units.js';
import { WorkerProcess } from './helpers/worker-process.js';

const run = promisify(execFile);
const keyOf = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const DOCS = new URL('../docs', import.meta.url).pathname;

describe('the payload codec', () => {
  const [k1, k2] = [keyOf('k1'), keyOf('k2')];
  const codecOf = (value: string) => new AesGcmCodec(codecKeysFromEnv({ RECOIL_CODEC_KEYS: value })!);
  const payload = defaultPayloadConverter.toPayload({ prompt: 'Maya grips the wheel' })!;

  it('seals a payload so its text is nowhere in it, and opens it again', async () => {
    const codec = codecOf(k1);
    const [sealed] = await codec.encode([payload]);
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('Maya');
    expect(new TextDecoder().decode(sealed!.metadata!['encryption-key-id'])).toBe('k1');
    expect(defaultPayloadConverter.fromPayload(( await codec.decode([sealed!]))[0]!)).toEqual({ prompt: 'Maya grips the wheel' });
  });

  it('opens what an older key sealed after a rotation, and seals with the new one', async () => {
    const [old] = await codecOf(k1).encode([payload]);
    const rotated = codecOf(`${k2},${k1}`);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toEqual({ prompt: 'Maya grips the wheel' });
    const [fresh] = await rotated.encode([payload]);
    expect(new TextDecoder().decode(fresh!.metadata!['encryption-key-id'])).toBe('k2');
  });

  it('fails with a clear error, never garbage, for an unknown key id or the wrong key', async () => {
    const [sealed] = await codecOf(k1).encode([payload]);
    await expect(codecOf(k2).decode([sealed!])).rejects.toThrow(CodecKeyError);
    await expect(codecOf(k2).decode([sealed!])).rejects.toThrow(/encrypted with key "k1", which RECOIL_CODEC_KEYS here does not hold/);
    await expect(codecOf(keyOf('k1')).decode([sealed!])).rejects.toThrow(/key "k1" does not open with the key listed under that id/);
  });

  it('passes payloads written in clear (before a key was set) through', async () => {
    expect(await codecOf(k1).decode([payload])).toEqual([payload]);
  });

  it('refuses a key setting it cannot use, naming the variable and the fix', () => {
    expect(codecKeysFromEnv({})).toBeUndefined();
    expect(() => codecKeysFromEnv({ RECOIL_CODEC_KEYS: 'k1:c2hvcnQ=' })).toThrow(/RECOIL_CODEC_KEYS .*key "k1" is 5 bytes; AES-256 needs 32 .*openssl rand -base64 32/);
    expect(() => codecKeysFromEnv({ RECOIL_CODEC_KEYS: 'no-colon' })).toThrow(/<key-id>:<base64 key>/);
    expect(() => codecKeysFromEnv({ RECOIL_CODEC_KEYS: `${k1},${keyOf('k1')}` })).toThrow(/two keys share an id/);
  });
});

describe('the codec endpoint beyond this machine', () => {
  it('needs its token, as a Bearer header or the cookie its /auth link sets', async () => {
    const codec = new AesGcmCodec(codecKeysFromEnv({ RECOIL_CODEC_KEYS: keyOf('k1') })!);
    const running = await startCodecServer({ codec, uiOrigins: ['http://127.0.0.1:8080'], host: '0.0.0.0', port: 0 });
    try {
      const base = `http://127.0.0.1:${running.port}`;
      const decode = (headers: Record<string, string> = {}) =>
        fetch(`${base}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ payloads: [] }) });
      expect(running.token).toBeTruthy();
      expect((await decode()).status).toBe(401);
      expect((await decode({ authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await decode({ authorization: `Bearer ${running.token}` })).status).toBe(200);
      const auth = await fetch(`${base}/auth?token=${running.token}`, { redirect: 'manual' });
      expect(auth.status).toBe(303);
      const cookie = auth.headers.get('set-cookie')!.split(';')[0]!;
      expect((await decode({ cookie })).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('client text encrypted in Temporal', () => {
  const KEYS = keyOf('studio-2026');
  const PROMPT = `The courier ${randomUUID().slice(0, 8)} crosses the flooded bridge at night`;
  let server: DevServer;
  let codecServer: RunningCodecServer;
  let uiPort: number;
  let connection: Connection;
  let client: Client;
  let worker: WorkerProcess;
  const taskQueue = `codec-${randomUUID()}`;
  const projectId = `codec-${randomUUID().slice(0, 8)}`;
  const env = () => ({ TEMPORAL_ADDRESS: server.address, RECOIL_TASK_QUEUE: taskQueue, RECOIL_CODEC_KEYS: KEYS });

  beforeAll(async () => {
    uiPort = await freePort();
    const { dataConverter } = dataConverterFromEnv({ RECOIL_CODEC_KEYS: KEYS });
    codecServer = await startCodecServer({ codec: dataConverter!.payloadCodecs![0]!, uiOrigins: [`http://127.0.0.1:${uiPort}`], port: 0 });
    server = await startDevServer({ dataDir: await mkdtemp(join(tmpdir(), 'recoil-codec-')), port: 0, uiPort, uiCodecEndpoint: codecServer.url });
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection, dataConverter });
    worker = new WorkerProcess({ ...env(), RECOIL_ARTIFACTS_DIR: await mkdtemp(join(tmpdir(), 'recoil-codec-art-')), RECOIL_WORKFLOW_BUNDLE: inject('workflowBundlePath') });
    worker.start();
    const unit = makeUnit({ projectId, sequenceId: 'SEQ01', title: 'The flooded bridge' });
    unit.shots[0] = { ...unit.shots[0]!, prompt: PROMPT, providerPrompt: PROMPT };
    const input: EpisodeInput = { projectId, episode: 'EP001', units: [unit], provider: 'local', maxParallel: 1, maxTakes: 2, autoRetakes: 0, startedBy: 'test' };
    await startOrFindEpisode(client, input, taskQueue);
    const sequence = client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', 'SEQ01'));
    await vi.waitFor(async () => expect((await sequence.query(statusQuery)).state).toBe('video_complete'), { timeout: 90_000, interval: 250 });
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    await connection?.close();
    await codecServer?.close();
    await server?.stop();
  });

  it('keeps every prompt out of the server\'s raw history, while the worker and the CLI work', { timeout: 120_000 }, async () => {
    const cli = await ensureTemporalCli();
    for (const id of [episodeWorkflowId(projectId, 'EP001'), sequenceWorkflowId(projectId, 'EP001', 'SEQ01')]) {
      const { stdout } = await run(cli, ['workflow', 'show', '--address', server.address, '--workflow-id', id, '--output', 'json'], { maxBuffer: 64 * 1024 * 1024 });
      expect(stdout.length).toBeGreaterThan(1_000);
      expect(stdout).toContain(Buffer.from('binary/encrypted').toString('base64'));
      for (const secret of [PROMPT, 'The courier', 'flooded bridge', Buffer.from(PROMPT).toString('base64').slice(0, 24)]) expect(stdout).not.toContain(secret);
    }
    expect(worker.output).toContain('payloads encrypted (RECOIL_CODEC_KEYS)');
    const status = await runCli(['status', projectId, '--episode', 'EP001'], env());
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('video_complete');
    const approved = await runCli(['approve', projectId, 'EP001', 'SEQ01', '--take', '1'], env());
    expect(approved.stdout).toMatch(/accepted/);
  });

  it('tells a CLI with the wrong key so, instead of showing garbage', async () => {
    const wrong = await runCli(['status', projectId, '--episode', 'EP001', '--json'], { ...env(), RECOIL_CODEC_KEYS: keyOf('studio-2026') });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr + wrong.stdout).toMatch(/key "studio-2026" does not open with the key listed under that id in RECOIL_CODEC_KEYS/);
    const bad = await runCli(['status', projectId], { ...env(), RECOIL_CODEC_KEYS: 'studio:short' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/RECOIL_CODEC_KEYS cannot be used/);
  });

  it('answers only the Web UI\'s origin', async () => {
    const asked = (origin: string) => fetch(`${codecServer.url}/decode`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ payloads: [] }) });
    expect((await asked(`http://127.0.0.1:${uiPort}`)).status).toBe(200);
    expect((await asked('http://evil.example')).status).toBe(403);
    const preflight = await fetch(`${codecServer.url}/decode`, { method: 'OPTIONS', headers: { origin: `http://127.0.0.1:${uiPort}`, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(`http://127.0.0.1:${uiPort}`);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
  });

  it('lets the Web UI, in a real browser, show the decoded input through the codec endpoint', { timeout: 120_000 }, async () => {
    const browser = await launchBrowser();
    try {
      const page = await (await reviewerContext(browser)).newPage();
      const decodes: number[] = [];
      page.on('response', (r) => {
        if (r.url().startsWith(`${codecServer.url}/decode`)) decodes.push(r.status());
      });
      await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(sequenceWorkflowId(projectId, 'EP001', 'SEQ01'))}`);
      await expect.poll(async () => (await page.content()).includes(PROMPT), { timeout: 60_000 }).toBe(true);
      expect(decodes.length).toBeGreaterThan(0);
      expect(decodes.every((s) => s === 200)).toBe(true);
      await page.getByText(PROMPT).first().scrollIntoViewIfNeeded();
      await screenshot(page, DOCS, 'webui-decoded');
    } finally {
      await browser.close();
    }
  });
});
