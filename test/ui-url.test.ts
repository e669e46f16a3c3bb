import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uiBaseUrl } from '../src/review/ui-url.js';
import { episodeWorkflowId } from '../src/domain/ids.js';
import { makeProject, removeFixtures } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';
import { tempFolders } from './helpers/temp-folders.js';

const tempFolder = tempFolders('recoil-ui-');

describe('the Web UI address', () => {
  it('is the server’s own host at the gRPC port + 1000, as the dev server serves it', () => {
    expect(uiBaseUrl('127.0.0.1:7233', {})).toBe('http://127.0.0.1:8233');
    expect(uiBaseUrl('temporal.studio.internal:7400', {})).toBe('http://temporal.studio.internal:8400');
    expect(uiBaseUrl('[::1]:7233', {})).toBe('http://[::1]:8233');
    expect(uiBaseUrl('localhost', {})).toBe('http://localhost:8233');
  });

  it('is Temporal Cloud’s console for a cloud namespace', () => {
    expect(uiBaseUrl('prod.a2b3c.tmprl.cloud:7233', {})).toBe('https://cloud.temporal.io');
  });

  it('is RECOIL_UI_URL when set, whatever the address', () => {
    expect(uiBaseUrl('localhost:7233', { RECOIL_UI_URL: 'http://localhost:8080/' })).toBe('http://localhost:8080');
  });
});

describe('recoil run', () => {
  let connection: Connection;
  const started: string[] = [];

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    const client = new Client({ connection });
    // No worker polls these queues: the episodes would wait for ever.
    await Promise.all(started.map((id) => client.workflow.getHandle(id).terminate('test over').catch(() => undefined)));
    await connection.close();
    await removeFixtures();
  });

  async function runAgainstTestServer(env: NodeJS.ProcessEnv) {
    const projectId = `ui-${randomUUID().slice(0, 8)}`;
    const dir = await makeProject((files) => {
      files.project.id = projectId;
    });
    const cwd = await tempFolder();
    const address = inject('temporalAddress');
    const queue = `ui-${randomUUID()}`;
    const result = await runCli(['run', dir, '--episode', 'EP001'], { TEMPORAL_ADDRESS: address, RECOIL_TASK_QUEUE: queue, RECOIL_ARTIFACTS_DIR: join(cwd, 'artifacts'), ...env }, cwd);
    started.push(episodeWorkflowId(projectId, 'EP001'));
    return { ...result, address, projectId };
  }

  it('prints the Web UI of the server it talks to, not the default one', async () => {
    const { code, stdout, address, projectId } = await runAgainstTestServer({ RECOIL_UI_URL: '' });
    expect(code).toBe(0);
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    expect(port).not.toBe(7233);
    const query = encodeURIComponent(`RecoilProject="${projectId}"`);
    expect(stdout).toContain(`Web UI:    http://${host}:${port + 1000}/namespaces/default/workflows?query=${query}`);
  });

  it('prints RECOIL_UI_URL when it is set', async () => {
    const { code, stdout } = await runAgainstTestServer({ RECOIL_UI_URL: 'https://temporal-ui.example.test' });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Web UI: {4}https:\/\/temporal-ui\.example\.test\/namespaces\/default\/workflows\?query=/);
  });
});
