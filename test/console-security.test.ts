import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { boardBody } from '../src/console/pages/board.js';
import { startConsole, type RunningConsole } from '../src/console/server.js';
import { LocalFolderStore } from '../src/store/local-folder-store.js';

const BIN = fileURLToPath(new URL('../bin/recoil.mjs', import.meta.url));
const SECRET = 'the contents of a file outside the artifacts root';

let dir: string;
let connection: Connection;
let running: RunningConsole;
let base: string;

/** A take folder as the pipeline writes it, with whatever video file name its take.json claims. */
async function takeFolder(root: string, take: number, videoFile: string): Promise<string> {
  const folder = join(root, 'proj', 'EP001', 'SEQ01', 'takes', `t00${take}`);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'take.json'), JSON.stringify({ schemaVersion: 1, take, video: { file: videoFile, durationSec: 1, width: 2, height: 2 }, inputs: { shots: [] } }));
  return folder;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recoil-console-security-'));
  const root = join(dir, 'artifacts');
  await writeFile(join(dir, 'secret.txt'), SECRET);
  await takeFolder(root, 1, '../../../../../secret.txt');
  await symlink(join(dir, 'secret.txt'), join(await takeFolder(root, 2, 'video.mp4'), 'video.mp4'));
  await writeFile(join(await takeFolder(root, 3, 'video.mp4'), 'video.mp4'), Buffer.alloc(4096, 7));
  const grid = join(root, 'proj', 'EP001', 'SEQ01', 'grids', 'g001');
  await mkdir(grid, { recursive: true });
  await writeFile(join(grid, 'grid.json'), JSON.stringify({ grid: 1, quadrants: ['q1.png', 'q2.png', 'q3.png', 'q4.png'] }));
  for (const [file, byte] of [['grid.png', 0], ['q1.png', 1], ['q2.png', 2], ['q3.png', 3], ['q4.png', 4]] as const) await writeFile(join(grid, file), Buffer.alloc(64, byte));
  connection = await Connection.connect({ address: inject('temporalAddress') });
  running = await startConsole({ client: new Client({ connection }), connection, namespace: 'default', store: new LocalFolderStore(root), port: 0 });
  base = running.url;
});

afterAll(async () => {
  await running?.close();
  await connection?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw request, so the Host header can be anything a rebinding page would send. */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? JSON.stringify({ name: 'someone' }) : undefined);
  });
}

describe('console security', () => {
  it('serves the whole grid image as quadrant 0 and each quadrant as 1–4, and nothing past them', async () => {
    for (const quadrant of [0, 1, 4]) {
      const answer = await raw(`/media/grid/proj/EP001/SEQ01/1/${quadrant}`);
      expect(answer.status, `quadrant ${quadrant}`).toBe(200);
      expect(answer.body.charCodeAt(0), `quadrant ${quadrant}`).toBe(quadrant);
    }
    expect((await raw('/media/grid/proj/EP001/SEQ01/1/5')).status).toBe(404);
  });

  it('serves media found through manifests, in ranges, and nothing outside the artifacts root', async () => {
    const ok = await raw('/media/take/proj/EP001/SEQ01/3/video', { Range: 'bytes=0-99' });
    expect(ok.status).toBe(206);
    expect(ok.headers['content-range']).toBe('bytes 0-99/4096');
    for (const path of [
      '/media/take/proj/EP001/SEQ01/1/video',
      '/media/take/proj/EP001/SEQ01/2/video',
      '/media/take/..%2f..%2fsecret.txt/EP001/SEQ01/3/video',
      '/media/take/%2e%2e/EP001/SEQ01/3/video',
      '/media/take/proj/EP001/%2e%2e%2f%2e%2e/3/video',
      '/media/take/proj/EP001/SEQ01/3/../../../../../secret.txt',
      '/media/take/proj/EP001/SEQ01/%2e%2e%2f1/video',
      '/media/grid/proj/EP001/SEQ01/1/..%2f..%2f..%2f..%2f..%2fsecret.txt',
      '/media/delivery/proj/EP001/1/..%2f..%2f..%2fsecret.txt',
      '/static/..%2fserver.ts',
    ]) {
      const res = await raw(path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain(SECRET);
    }
  });

  it('refuses a POST that no page of the console sent, and Host names it does not know', async () => {
    const origin = new URL(base).origin;
    const json = { 'Content-Type': 'application/json' };
    expect((await raw('/whoami', json, 'POST')).status).toBe(403);
    expect((await raw('/whoami', { ...json, Origin: 'http://evil.example' }, 'POST')).status).toBe(403);
    expect((await raw('/whoami', { ...json, Origin: origin, 'Sec-Fetch-Site': 'cross-site' }, 'POST')).status).toBe(403);
    expect((await raw('/whoami', { ...json, Origin: origin, 'Sec-Fetch-Site': 'same-origin' }, 'POST')).status).toBe(200);
    expect((await raw('/', { Host: 'evil.example' })).status).toBe(403);
    expect((await raw('/', { Host: `evil.example:${running.port}` })).status).toBe(403);
  });

  it('sends a content security policy and nosniff with every answer', async () => {
    const res = await raw('/static/console.js');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(res.headers['content-security-policy'])).toMatch(/script-src 'self'/);
    expect(String(res.headers['content-security-policy'])).toMatch(/default-src 'none'/);
  });

  it('renders prompts, titles and names as text', () => {
    const hostile = '<script>alert(1)</script> "><img src=x onerror=alert(2)>';
    const page = String(
      boardBody({
        namespace: 'default',
        uiBase: 'http://ui',
        // An unclaimed charge is fal's text, not ours: escaped like the rest.
        billing: { spend: { totalUsd: 1, billedUsd: 0.5 }, unclaimed: [{ requestId: hostile, endpoint: hostile, billedAt: '2026-12-01T10:00:00.000Z', usd: 0.5, outputUnits: 5 }] },
        snapshot: {
          projectId: 'proj',
          episode: 'EP001',
          sequences: [
            {
              workflowId: 'proj/EP001/SEQ01',
              episode: 'EP001',
              sequenceId: 'SEQ01',
              state: 'video_complete',
              spentUsd: 1,
              running: true,
              status: {
                projectId: 'proj', episode: 'EP001', sequenceId: 'SEQ01', title: hostile, state: 'video_complete', waitingFor: hostile,
                takes: [], grids: [], maxTakes: 5, spentUsd: 1, estimatedTakeCostUsd: 1,
                history: [{ at: new Date().toISOString(), from: 'video_generating', to: 'video_complete', by: hostile, why: hostile }],
                decisions: [{ requestId: 'r-1', decision: 'approve', by: hostile, at: new Date().toISOString(), outcome: 'refused', detail: hostile }],
              },
            },
          ],
        },
      }),
    );
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
  });

  it('needs the printed token when it listens beyond this machine', { timeout: 60_000 }, async () => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'console', '--host', '0.0.0.0', '--port', '0'], {
      env: { ...process.env, NO_COLOR: '1', TEMPORAL_ADDRESS: inject('temporalAddress'), RECOIL_ARTIFACTS_DIR: join(dir, 'artifacts') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d));
      child.stderr!.on('data', (d: Buffer) => (output += d));
      await expect.poll(() => output, { timeout: 45_000 }).toMatch(/console: http:\S+token=\S+/);
      const link = new URL(/console: (http:\S+)/.exec(output)![1]!);
      const token = link.searchParams.get('token')!;
      expect((await fetch(new URL('/', link))).status).toBe(401);
      expect((await fetch(new URL('/auth?token=wrong', link), { redirect: 'manual' })).status).toBe(401);
      const exchanged = await fetch(link, { redirect: 'manual' });
      expect(exchanged.status).toBe(303);
      expect(exchanged.headers.get('location')).toBe('/');
      const cookie = exchanged.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toContain(token);
      const page = await fetch(new URL('/', link), { headers: { Cookie: cookie.split(';')[0]! } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Episodes');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
