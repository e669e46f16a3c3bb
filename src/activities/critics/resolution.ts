import { ASPECT_RATIOS, matchesRatio, type AspectRatio, type Resolution } from '../../domain/aspect-ratio.js';
import type { CriticFinding } from '../../domain/critic-report.js';

/**
 * Seed risk 2: a hard-coded 9:16 slipping through. The take must be exactly the project's size,
 * and its ratio is named in the message so a swapped width and height is obvious at a glance.
 */
export function resolutionCritic(actual: Resolution, expected: { aspectRatio: AspectRatio; resolution: Resolution }): CriticFinding {
  const { aspectRatio, resolution } = expected;
  const ok = actual.width === resolution.width && actual.height === resolution.height && matchesRatio(actual, aspectRatio);
  const seen = `${dimensions(actual)} (${describeRatio(actual)})`;
  const project = `${aspectRatio} (${dimensions(resolution)})`;
  return {
    critic: 'resolution',
    ok,
    message: ok ? `${seen}, as the project asks` : `${seen} but the project is ${project}`,
    measured: { width: actual.width, height: actual.height, ratio: describeRatio(actual) },
  };
}

/** The ratio's name when it is one the pipeline knows, else width over height as "1.33:1". */
export function describeRatio(size: Resolution): string {
  if (size.width <= 0 || size.height <= 0) return 'no picture';
  return ASPECT_RATIOS.find((ratio) => matchesRatio(size, ratio)) ?? `${(size.width / size.height).toFixed(2)}:1`;
}

export function dimensions({ width, height }: Resolution): string {
  return `${width}×${height}`;
}
