import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { startOrFindEpisode } from '../src/client/start-episode.js';
import type { EpisodeInput } from '../src/contract/episode.js';
import { approveSignal } from '../src/contract/sequence.js';
import { episodeWorkflowId, sequenceWorkflowId } from '../src/domain/ids.js';
import { startClientTracing } from '../src/telemetry/client-tracing.js';
import { tracesEndpointFromEnv } from '../src/telemetry/traces-endpoint.js';
import { activitySummary } from '../src/contract/activity-subject.js';
import { startFalFake } from './fakes/fal-fake.js';
import { waitForStatus } from './helpers/harness.js';
import { startOtlpCollector, type CollectedSpan } from './helpers/otlp-collector.js';
import { makeProject, removeFixtures } from './helpers/project-fixture.js';
import { runCli } from './helpers/run-cli.js';
import { makeUnit } from './helpers/units.js';
import { WorkerProcess } from './helpers/worker-process.js';

const FAL_KEY = `fal-trace-${randomUUID()}`;
let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
let fake: Awaited<ReturnType<typeof startFalFake>>;

beforeAll(async () => {
  collector = await startOtlpCollector();
  fake = await startFalFake({ key: FAL_KEY });
});
afterAll(async () => {
  await removeFixtures();
  await fake?.close();
  await collector?.close();
});

/** The span and every ancestor up to the root, nearest first; stops where a parent was never exported. */
function ancestry(spans: CollectedSpan[], span: CollectedSpan): CollectedSpan[] {
  const chain = [span];
  for (let parent = span.parentSpanId; parent; ) {
    const found = spans.find((s) => s.spanId === parent);
    if (!found) break;
    chain.push(found);
    parent = found.parentSpanId;
  }
  return chain;
}

describe('traces', () => {
  it('follow one take from `recoil run` to every activity of the episode and its sequence, and to fal\'s request id', { timeout: 240_000 }, async () => {
    const taskQueue = `traces-${randomUUID()}`;
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
    const worker = new WorkerProcess({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      RECOIL_TASK_QUEUE: taskQueue,
      RECOIL_ARTIFACTS_DIR: await mkdtemp(join(tmpdir(), 'recoil-traces-')),
      RECOIL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      FAL_KEY,
      RECOIL_FAL_BASE_URL: fake.baseUrl,
      RECOIL_FAL_POLL_MS: '250',
      ...otel,
    });
    worker.start();
    // What `recoil run` does when an endpoint is set: its own span, and the episode started inside it.
    const tracing = startClientTracing(otel);
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection, interceptors: tracing.interceptors });
    try {
      const projectId = `traces-${randomUUID().slice(0, 8)}`;
      const input: EpisodeInput = { projectId, episode: 'EP001', units: [makeUnit({ projectId, durations: [3] })], provider: 'fal', maxParallel: 1, maxTakes: 1, autoRetakes: 0, startedBy: 'test' };
      const traceId = await tracing.inSpan('recoil run', { 'recoil.project': projectId }, async (id) => {
        await startOrFindEpisode(client, input, taskQueue);
        return id;
      });
      const sequence = client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', 'SEQ01'));
      await waitForStatus(sequence, (s) => s.state === 'video_complete', 120_000);
      await sequence.signal(approveSignal, { take: 1, by: 'producer' });
      await client.workflow.getHandle(episodeWorkflowId(projectId, 'EP001')).result();
      await tracing.shutdown();
      const requestId = fake.log.find((e) => e.event === 'submitted')!.requestId;

      const inTrace = () => collector.spans.filter((s) => s.traceId === traceId);
      const submitted = () => inTrace().find((s) => s.name === 'RunActivity:submitTake' && s.attributes['recoil.provider_request_id'] === requestId);
      const chain = () => {
        const take = submitted();
        return take ? ancestry(inTrace(), take).map((span) => `${span.service} ${span.name}`) : [];
      };
      await expect.poll(() => chain().at(-1), { timeout: 30_000, interval: 250 }).toBe('recoil-cli recoil run');
      expect(chain()).toEqual(['recoil-worker RunActivity:submitTake', 'recoil-cli StartWorkflow:episodeWorkflow', 'recoil-cli recoil run']);
      // Every workflow's activities are in the trace, each naming its workflow: the episode's and the sequence's.
      const workflowsTraced = () => new Set(inTrace().map((span) => span.attributes.temporalWorkflowId).filter(Boolean));
      await expect.poll(workflowsTraced, { timeout: 30_000 }).toEqual(new Set([episodeWorkflowId(projectId, 'EP001'), sequenceWorkflowId(projectId, 'EP001', 'SEQ01')]));
      expect(submitted()!.attributes).toMatchObject({ temporalWorkflowId: sequenceWorkflowId(projectId, 'EP001', 'SEQ01'), 'recoil.project': projectId, 'recoil.episode': 'EP001', 'recoil.sequence': 'SEQ01', 'recoil.take': 1 });
      // Waiting on fal and collecting the video are in the same trace, named by the same request.
      await expect.poll(() => inTrace().filter((s) => s.attributes['recoil.provider_request_id'] === requestId).map((s) => s.name).sort(), { timeout: 30_000 }).toEqual(
        expect.arrayContaining(['RunActivity:awaitProviderJob', 'RunActivity:submitTake']),
      );

      // The Web UI shows each activity's summary in the sequence's history.
      const history = await sequence.fetchHistory();
      const summaries = (history.events ?? [])
        .filter((e) => e.activityTaskScheduledEventAttributes)
        .map((e) => JSON.parse(Buffer.from(e.userMetadata!.summary!.data!).toString('utf8')) as string);
      expect(summaries).toContain('EP001 SEQ01 take 1: submitTake');
      expect(summaries.filter((s) => !/EP001 SEQ01 take 1: |EP001 SEQ01: /.test(s))).toEqual([]);
    } finally {
      await connection.close();
      await worker.stop();
    }
    expect(worker.output).toContain(`traces to ${collector.url}/v1/traces`);
  });

  it('`recoil run` with an endpoint set: prints the trace id, whose root span started the episode', { timeout: 60_000 }, async () => {
    const projectId = `traces-cli-${randomUUID().slice(0, 8)}`;
    const dir = await makeProject((files) => void (files.project.id = projectId));
    const env = { TEMPORAL_ADDRESS: inject('temporalAddress'), RECOIL_TASK_QUEUE: `traces-cli-${randomUUID()}`, RECOIL_ARTIFACTS_DIR: join(dir, 'artifacts'), OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
    const run = await runCli(['run', dir, '--episode', 'EP001', '--only', 'SEQ01'], env);
    expect(run.code, run.stderr).toBe(0);
    const traceId = /trace: +([0-9a-f]{32})/.exec(run.stdout)?.[1];
    expect(traceId, run.stdout).toBeDefined();
    // The CLI flushes its spans before it exits: they are at the collector already.
    const spans = collector.spans.filter((span) => span.traceId === traceId);
    const root = spans.find((span) => span.name === 'recoil run');
    expect(root?.attributes).toMatchObject({ 'recoil.project': projectId, 'recoil.episode': 'EP001', 'recoil.provider': 'local' });
    expect(spans.find((span) => span.name === 'StartWorkflow:episodeWorkflow')?.parentSpanId).toBe(root?.spanId);
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    await new Client({ connection }).workflow.getHandle(episodeWorkflowId(projectId, 'EP001')).terminate('test over');
    await connection.close();
  });

  it('reads the endpoint from OpenTelemetry\'s own variables, and names the activity\'s work in its summary', () => {
    expect(tracesEndpointFromEnv({})).toBeUndefined();
    expect(tracesEndpointFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(tracesEndpointFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/traces' })).toBe('http://b:4318/traces');
    expect(activitySummary('criticiseTake', { projectId: 'p', episode: 'EP001', sequenceId: 'SEQ02', take: 3 })).toBe('EP001 SEQ02 take 3: criticiseTake');
    expect(activitySummary('readSequenceSpend', { projectId: 'p', episode: 'EP001', sequenceId: 'SEQ02' })).toBe('EP001 SEQ02: readSequenceSpend');
    expect(activitySummary('submitTake', { unit: { projectId: 'p', episode: 'EP001', sequenceId: 'SEQ02' }, take: 4 })).toBe('EP001 SEQ02 take 4: submitTake');
    expect(activitySummary('askAccountSlot', { provider: 'fal', ticket: 'take-2', label: 'p EP001 SEQ02 take 2' })).toBe('p EP001 SEQ02 take 2: askAccountSlot');
    expect(activitySummary('reconcileBilling', {})).toBe('reconcileBilling');
  });
});
