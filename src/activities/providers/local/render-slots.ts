import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';

/**
 * Every local render in this worker process (animatics and grids, whichever sequence or episode
 * asked) takes one of these slots. Encoding is CPU-bound: more renders than cores at once only
 * makes each slower and every one of them late.
 */
const renderSlots = pLimit(availableParallelism());

export function withRenderSlot<T>(render: () => Promise<T>): Promise<T> {
  return renderSlots(render);
}
