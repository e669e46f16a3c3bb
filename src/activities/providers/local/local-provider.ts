import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AwaitContext, VideoJob, VideoProvider } from '../provider.js';
import { renderAnimatic } from './animatic.js';
import { withRenderSlot } from './render-slots.js';

export interface LocalProviderOptions {
  /** Simulated provider latency per take, for benchmarks (env RECOIL_LOCAL_LATENCY_MS). */
  latencyMs?: number;
}

const HEARTBEAT_MS = 1_000;

/** The offline provider: a real animatic MP4 per take, made on this machine, free. */
export function createLocalProvider(options: LocalProviderOptions = {}): VideoProvider {
  const latencyMs = options.latencyMs ?? 0;
  return {
    name: 'local',
    resubmitIsSafe: true,
    async submit(job) {
      return { requestId: `local-${jobFingerprint(job).slice(0, 16)}-t${job.take}` };
    },
    async awaitFinished(_job, _requestId, ctx) {
      await simulateLatency(latencyMs, ctx);
    },
    // The render is this machine's work, not the provider's: it waits for a free core, not a slot.
    async collect(job, _requestId, videoPath, ctx) {
      const render = () =>
        renderAnimatic({
          outPath: videoPath,
          resolution: job.unit.resolution,
          shots: job.shots.map((s) => ({ prompt: s.prompt, duration: s.duration })),
          sequenceId: job.unit.sequenceId,
          ...(job.startFramePath ? { startFramePath: job.startFramePath } : {}),
          ...(job.endFramePath ? { endFramePath: job.endFramePath } : {}),
          seed: jobFingerprint(job),
          signal: ctx.signal,
        });
      // Waiting for a render slot can outlast the heartbeat timeout when many sequences render at once.
      const beating = setInterval(() => ctx.heartbeat({ phase: 'rendering' }), HEARTBEAT_MS);
      try {
        await withRenderSlot(render);
      } finally {
        clearInterval(beating);
      }
    },
    costOf() {
      return 0;
    },
  };
}

/** Same inputs, same animatic: the seed ignores the take number so a retake of identical prompts matches. */
function jobFingerprint(job: VideoJob): string {
  const { unit } = job;
  return createHash('sha256')
    .update(JSON.stringify([unit.projectId, unit.episode, unit.sequenceId, job.shots, unit.resolution, job.startFramePath ?? null, ...(job.endFramePath ? [job.endFramePath] : [])]))
    .digest('hex');
}

async function simulateLatency(ms: number, ctx: AwaitContext): Promise<void> {
  for (let left = ms; left > 0; left -= HEARTBEAT_MS) {
    ctx.heartbeat({ phase: 'queued' });
    await sleep(Math.min(HEARTBEAT_MS, left), undefined, { signal: ctx.signal });
  }
}
