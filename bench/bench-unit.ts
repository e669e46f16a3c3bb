import { videoResolution } from '../src/domain/aspect-ratio.js';
import type { SequenceUnit } from '../src/domain/sequence-unit.js';

/**
 * The i-th synthetic sequence of a bench episode (SEQ001, SEQ002…): 16:9, no start frame, no
 * elements, one shot per duration, each prompt naming its project, sequence and shot so no two
 * jobs look alike to a provider.
 */
export function benchUnit(projectId: string, i: number, options: { shotDurations: number[]; estimatedCostUsd: number }): SequenceUnit {
  const sequenceId = `SEQ${String(i + 1).padStart(3, '0')}`;
  const shots = options.shotDurations.map((duration, s) => {
    const prompt = `${projectId} ${sequenceId}, shot ${s + 1}`;
    return { prompt, providerPrompt: prompt, duration };
  });
  return {
    projectId,
    projectDir: process.cwd(),
    episode: 'EP001',
    sequenceId,
    model: 'kling-o3',
    aspectRatio: '16:9',
    resolution: videoResolution('16:9'),
    generateAudio: false,
    shots,
    elements: [],
    startFrame: null,
    totalDurationSec: options.shotDurations.reduce((a, b) => a + b, 0),
    estimatedCostUsd: options.estimatedCostUsd,
    estimatedGridCostUsd: 0,
  };
}
