import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import type { EpisodeInput } from '../src/contract/episode.js';
import { approveSignal, statusQuery } from '../src/contract/sequence.js';
import { episodeWorkflowId, sequenceWorkflowId } from '../src/domain/ids.js';
import { metricsAddressFromEnv } from '../src/worker/runtime.js';
import { freePort } from '../src/temporal/dev-server.js';
import { waitForStatus } from './helpers/harness.js';
import { makeUnit } from './helpers/units.js';
import { WorkerProcess } from './helpers/worker-process.js';

let connection: Connection;
let client: Client;
let worker: WorkerProcess;
let metricsUrl: string;
const taskQueue = `metrics-${randomUUID()}`;

beforeAll(async () => {
  const address = `127.0.0.1:${await freePort()}`;
  metricsUrl = `http://${address}/metrics`;
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  worker = new WorkerProcess({
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    RECOIL_TASK_QUEUE: taskQueue,
    RECOIL_ARTIFACTS_DIR: await mkdtemp(join(tmpdir(), 'recoil-metrics-')),
    RECOIL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    RECOIL_METRICS_ADDRESS: address,
  });
  worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
});

/** The scrape as Prometheus reads it: `name{labels} value` lines, comments left out. */
async function scrape(): Promise<string[]> {
  const response = await fetch(metricsUrl);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return (await response.text()).split('\n').filter((line) => line && !line.startsWith('#'));
}

/** The value of the one sample whose name and labels all match. */
function sample(lines: string[], name: string, labels: Record<string, string> = {}): number | undefined {
  const line = lines.find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `) ? Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)) : false);
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe("the worker's Prometheus metrics", () => {
  it("serves the SDK's telemetry and Recoil's own after a small episode: takes, spend, provider wait, decisions, critics", { timeout: 240_000 }, async () => {
    const projectId = `metrics-${randomUUID().slice(0, 8)}`;
    const units = [makeUnit({ projectId, sequenceId: 'SEQ01', model: 'local', durations: [3] })];
    const input: EpisodeInput = { projectId, episode: 'EP001', units, provider: 'local', maxParallel: 1, maxTakes: 2, autoRetakes: 0, startedBy: 'test' };
    await startOrFindEpisode(client, input, taskQueue);
    const sequence = client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', 'SEQ01'));
    await waitForStatus(sequence, (s) => s.state === 'video_complete', 180_000);
    await sequence.signal(approveSignal, { take: 9, by: 'typo' });
    await sequence.signal(approveSignal, { take: 1, by: 'producer' });
    await client.workflow.getHandle(episodeWorkflowId(projectId, 'EP001')).result();
    expect((await sequence.query(statusQuery)).state).toBe('approved');

    const project = { project: projectId, episode: 'EP001', model: 'local' };
    await expect
      .poll(async () => {
        const lines = await scrape();
        return {
          finished: sample(lines, 'recoil_takes_total', { ...project, outcome: 'finished' }),
          costCount: sample(lines, 'recoil_take_cost_usd_count', { ...project, outcome: 'finished' }),
          spend: sample(lines, 'recoil_take_cost_usd_sum', { ...project, outcome: 'finished' }),
          providerWaits: sample(lines, 'recoil_provider_wait_seconds_count', { provider: 'local', model: 'local' }),
          accepted: sample(lines, 'recoil_decisions_total', { decision: 'approve', outcome: 'accepted', taskQueue }),
          refused: sample(lines, 'recoil_decisions_total', { decision: 'approve', outcome: 'refused', taskQueue }),
          reviews: sample(lines, 'recoil_decision_latency_seconds_count', { waited_in: 'video_complete', taskQueue }),
        };
      }, { timeout: 30_000, interval: 500 })
      .toEqual({ finished: 1, costCount: 1, spend: 0, providerWaits: 1, accepted: 1, refused: 1, reviews: 1 });
    // The take waited for the producer at least as long as the test took to approve it, and not for ever.
    const waited = sample(await scrape(), 'recoil_decision_latency_seconds_sum', { waited_in: 'video_complete' })!;
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThan(240);
    const lines = await scrape();
    // Buckets sized for jobs that run for minutes, not the SDK's sub-second defaults.
    expect(lines.some((l) => l.startsWith('recoil_provider_wait_seconds_bucket') && l.includes('le="1200"'))).toBe(true);
    // The local animatic passes every critic: no failure was counted.
    expect(lines.filter((l) => l.startsWith('recoil_critic_failures_total'))).toEqual([]);
    // The SDK's own telemetry is on the same endpoint.
    expect(sample(lines, 'temporal_workflow_completed_total', { task_queue: taskQueue, workflow_type: 'sequenceWorkflow' })).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l.startsWith('temporal_activity_execution_latency_seconds_count'))).toBe(true);
    expect(worker.output).toContain(`metrics at ${metricsUrl}`);
  });

  it('refuses a metrics address it cannot use, naming the variable and the fix', () => {
    expect(metricsAddressFromEnv({})).toBeUndefined();
    expect(metricsAddressFromEnv({ RECOIL_METRICS_ADDRESS: '0.0.0.0:9464' })).toBe('0.0.0.0:9464');
    for (const wrong of ['9464', 'localhost:99999', 'localhost:']) {
      expect(() => metricsAddressFromEnv({ RECOIL_METRICS_ADDRESS: wrong })).toThrow(/RECOIL_METRICS_ADDRESS is ".*": give host:port for the worker's \/metrics, e\.g\. 0\.0\.0\.0:9464/);
    }
  });
});
