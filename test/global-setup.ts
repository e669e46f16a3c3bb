import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../src/temporal/dev-server.js';
import { buildWorkflowBundle } from '../src/worker/workflow-bundle.js';
import { compiledApp } from '../bin/compiled-app.mjs';
import { ensureChromium } from './chromium.js';
import { ensureSeaweedFs } from './helpers/s3-server.js';

type Teardown = () => Promise<void>;

// Every shared resource is prepared once per run, provided to tests, and torn down in reverse order.
export default async function setup(project: TestProject): Promise<Teardown> {
  const teardowns: Teardown[] = [];
  try {
    await ensureChromium((line) => console.log(`[chromium] ${line}`));
    // The S3 server's first build takes minutes of both cores: done before any test runs beside it.
    await ensureSeaweedFs((line) => console.log(`[seaweedfs] ${line}`));
    // The CLI and the workers the tests start run the compiled app: compiled once here, not by each at once.
    compiledApp();
    const temporal = await startSharedTemporal();
    teardowns.push(temporal.stop);
    project.provide('temporalAddress', temporal.address);
    const bundle = await bundleSharedWorkflows();
    teardowns.push(bundle.remove);
    project.provide('workflowBundlePath', bundle.path);
  } catch (error) {
    await runInReverse(teardowns);
    throw error;
  }
  return () => runInReverse(teardowns);
}

async function startSharedTemporal(): Promise<{ address: string; stop: Teardown }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'recoil-test-temporal-'));
  // On failure the folder stays behind on purpose: the error points at the server log inside it.
  const server = await startDevServer({
    dataDir,
    port: 0,
    headless: true,
    onProgress: (line) => console.log(`[temporal] ${line}`),
  });
  return {
    address: server.address,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// Bundling takes seconds; every test worker loads this one bundle instead of bundling again.
async function bundleSharedWorkflows(): Promise<{ path: string; remove: Teardown }> {
  const dir = await mkdtemp(join(tmpdir(), 'recoil-test-bundle-'));
  const { path } = await buildWorkflowBundle(join(dir, 'workflows.js'));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

async function runInReverse(teardowns: Teardown[]): Promise<void> {
  for (const teardown of [...teardowns].reverse()) await teardown();
}
