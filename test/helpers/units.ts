import { randomUUID } from 'node:crypto';
import { videoResolution, type AspectRatio } from '../../src/domain/aspect-ratio.js';
import type { SequenceUnit } from '../../src/domain/sequence-unit.js';

/** A sequence unit for workflow tests, with a project id unique to the test. */
export function makeUnit(overrides: Partial<SequenceUnit> & { durations?: number[] } = {}): SequenceUnit {
  const aspectRatio: AspectRatio = overrides.aspectRatio ?? '16:9';
  const durations = overrides.durations ?? [3, 3];
  const shots = durations.map((duration, i) => ({ prompt: `Shot ${i + 1} of the test`, providerPrompt: `Shot ${i + 1} of the test`, duration }));
  const { durations: _ignored, ...rest } = overrides;
  return {
    projectId: `test-${randomUUID().slice(0, 8)}`,
    projectDir: '/nonexistent',
    episode: 'EP001',
    sequenceId: 'SEQ01',
    model: 'kling-o3',
    aspectRatio,
    resolution: videoResolution(aspectRatio),
    generateAudio: false,
    shots,
    elements: [],
    startFrame: null,
    totalDurationSec: durations.reduce((a, b) => a + b, 0),
    estimatedCostUsd: 0.5,
    estimatedGridCostUsd: 0.039,
    ...rest,
  };
}
