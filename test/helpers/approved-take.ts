import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ffmpegPath } from '../../src/activities/media/binaries.js';
import { runProcess } from '../../src/activities/media/run-process.js';
import { takeDir } from '../../src/store/takes/take-folders.js';
import type { TakeManifest } from '../../src/store/takes/take-manifest.js';
import type { TakeNote } from '../../src/domain/take-notes.js';

export interface ApprovedTakeSpec {
  sequenceId: string;
  take: number;
  /** ffmpeg's rate syntax: "24", "24000/1001". */
  rate: string;
  /** Planned shot lengths in seconds; the video is their sum long. */
  shots: number[];
  width?: number;
  height?: number;
  /** With its own sound (a 440 Hz tone, 44.1 kHz mono, as a provider might send it). */
  audio?: boolean;
  approved?: boolean;
  /** Reviewers' notes on the take, as the console leaves them in take.json. */
  notes?: TakeNote[];
  project?: { projectId: string; episode: string };
}

export const FIXTURE_PROJECT = { projectId: 'handoff-test', episode: 'EP009' } as const;

/** A take folder as a finished, approved run leaves it: a real H.264 video and its take.json. */
export async function writeApprovedTake(root: string, spec: ApprovedTakeSpec): Promise<string> {
  const ref = { ...(spec.project ?? FIXTURE_PROJECT), sequenceId: spec.sequenceId, take: spec.take };
  const dir = takeDir(root, ref);
  await mkdir(dir, { recursive: true });
  const seconds = spec.shots.reduce((a, b) => a + b, 0);
  const [num, den = '1'] = spec.rate.split('/');
  const frames = Math.round((seconds * Number(num)) / Number(den));
  const size = `${spec.width ?? 320}x${spec.height ?? 180}`;
  await runProcess(ffmpegPath(), [
    '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${spec.rate}`,
    ...(spec.audio ? ['-f', 'lavfi', '-t', String(seconds), '-i', 'sine=frequency=440:sample_rate=44100', '-c:a', 'aac'] : []),
    '-frames:v', String(frames), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast',
    join(dir, 'video.mp4'),
  ]);
  const manifest: TakeManifest = {
    schemaVersion: 1,
    ...ref,
    owner: { workflowId: `${ref.projectId}/${ref.episode}/${spec.sequenceId}`, runId: 'run-1' },
    provider: 'local',
    model: 'local',
    inputs: {
      shots: spec.shots.map((duration, i) => ({ prompt: `${spec.sequenceId} shot ${i + 1}: a car & its driver <at> dusk, long prompt text to be cut short on the sheet`, providerPrompt: `shot ${i + 1}`, duration })),
      elements: [],
      startFrame: null,
      aspectRatio: '16:9',
      resolution: { width: spec.width ?? 320, height: spec.height ?? 180 },
      generateAudio: spec.audio ?? false,
      totalDurationSec: seconds,
    },
    status: 'complete',
    requestId: `local-${spec.sequenceId}-${spec.take}`,
    estimatedCostUsd: 1.5,
    actualCostUsd: 1.25,
    video: { file: 'video.mp4', durationSec: seconds, width: spec.width ?? 320, height: spec.height ?? 180 },
    critics: { ok: true, findings: [{ critic: 'decodes', ok: true, message: 'decodes cleanly' }], checkedAt: '2026-01-01T00:00:00.000Z' },
    decisions: spec.approved === false ? [] : [{ decision: 'approved', by: 'director@studio', at: '2026-01-02T03:04:05.000Z' }],
    ...(spec.notes ? { notes: spec.notes } : {}),
    times: { createdAt: '2026-01-01T00:00:00.000Z' },
  };
  await writeFile(join(dir, 'take.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
