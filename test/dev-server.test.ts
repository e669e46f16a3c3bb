import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { ensureTemporalCli, TEMPORAL_CLI_VERSION } from '../src/temporal/cli-binary.js';
import { ensureSearchAttributes, freePort, isServerHealthy, startDevServer } from '../src/temporal/dev-server.js';
import { RECOIL_SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes.js';

describe('ensureTemporalCli', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('returns an executable Temporal CLI of the pinned version', async () => {
    const cli = await ensureTemporalCli();
    const { stdout } = await promisify(execFile)(cli, ['--version']);
    expect(stdout).toContain(`version ${TEMPORAL_CLI_VERSION}`);
  });

  it('names RECOIL_TEMPORAL_CLI when it points at a missing file', async () => {
    vi.stubEnv('RECOIL_TEMPORAL_CLI', '/nonexistent/recoil/temporal');
    await expect(ensureTemporalCli()).rejects.toThrow(/RECOIL_TEMPORAL_CLI .*\/nonexistent\/recoil\/temporal/);
  });
});

describe('the shared dev server from global setup', () => {
  const address = inject('temporalAddress');

  it('is healthy', async () => {
    expect(await isServerHealthy(address)).toBe(true);
  });

  it('has our search attributes registered with their types', async () => {
    const registered = await customSearchAttributes(address, 'default');
    for (const { name, type } of RECOIL_SEARCH_ATTRIBUTES) {
      expect(registered[name], name).toBe(encodeSearchAttributeIndexedValueType(type.toUpperCase() as Uppercase<typeof type>));
    }
  });

  it('gets missing search attributes added to a namespace created without them', async () => {
    const namespace = `recoil-bare-${Date.now()}`;
    await withConnection(address, (connection) =>
      connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') }),
    );
    await ensureSearchAttributes(address, namespace);
    const registered = await customSearchAttributes(address, namespace);
    expect(Object.keys(registered).sort()).toEqual(RECOIL_SEARCH_ATTRIBUTES.map(({ name }) => name).sort());
  });
});

describe('isServerHealthy', () => {
  it('is false, and quick, where nothing listens', async () => {
    const startedAt = Date.now();
    expect(await isServerHealthy(`127.0.0.1:${await freePort()}`)).toBe(false);
    // Refused at once, not left to the 3 s probe timeout.
    expect(Date.now() - startedAt).toBeLessThan(2_500);
  });
});

describe('a dev server restarted on the same dataDir', () => {
  it('keeps the workflow history it had before the restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'recoil-dev-server-test-'));
    const workflowId = `persisted-${Date.now()}`;
    try {
      const first = await startDevServer({ dataDir, port: 0, headless: true });
      try {
        // No worker polls this queue: the workflow just sits in history, which is all we need.
        await withClient(first.address, (client) =>
          client.workflow.start('neverExecuted', { taskQueue: 'nobody-polls-this', workflowId }),
        );
      } finally {
        await first.stop();
      }
      expect(await isServerHealthy(first.address)).toBe(false);

      const second = await startDevServer({ dataDir, port: 0, headless: true });
      try {
        const description = await withClient(second.address, (client) => client.workflow.getHandle(workflowId).describe());
        expect(description.status.name).toBe('RUNNING');
        expect((await stat(join(dataDir, 'temporal.db'))).size).toBeGreaterThan(0);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

async function customSearchAttributes(address: string, namespace: string): Promise<Record<string, number>> {
  return withConnection(address, async (connection) => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return customAttributes ?? {};
  });
}

async function withConnection<T>(address: string, use: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

function withClient<T>(address: string, use: (client: Client) => Promise<T>): Promise<T> {
  return withConnection(address, (connection) => use(new Client({ connection })));
}
