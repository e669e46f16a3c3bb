import type { SequenceProgress } from '../contract/episode.js';
import type { FrameLink } from '../contract/sequence.js';
import type { SequenceUnit } from '../domain/sequence-unit.js';

/**
 * The episode's part in frame links: it hears every sequence's progress, so it tells the sequence
 * starting from a neighbour's last frame when that neighbour is approved, and the sequence ending on
 * a neighbour's start frame when that neighbour has one. Each link is told once it is delivered; one
 * that could not be (a passing fault, a sequence that has ended) is tried again at the neighbour's
 * next report.
 */
export class FrameLinkRelay {
  private readonly told = new Set<string>();

  constructor(
    private readonly units: readonly SequenceUnit[],
    private readonly send: (sequenceId: string, link: FrameLink) => Promise<void>,
  ) {}

  async relay(progress: SequenceProgress): Promise<void> {
    const { sequenceId, approvedTake, startFramePath } = progress;
    const links: [string, FrameLink][] = [];
    for (const unit of this.units) {
      const previous = unit.previousSequenceId ?? (unit.startFrame?.kind === 'previous' ? unit.startFrame.sequenceId : undefined);
      if (approvedTake !== undefined && previous === sequenceId) {
        links.push([unit.sequenceId, { kind: 'previous_approved', sequenceId, take: approvedTake }]);
      }
      if (startFramePath !== undefined && unit.endFrame?.kind === 'next' && unit.endFrame.sequenceId === sequenceId) {
        links.push([unit.sequenceId, { kind: 'next_start_frame', sequenceId, path: startFramePath }]);
      }
    }
    for (const [to, link] of links) {
      const key = `${to}/${link.kind}`;
      if (this.told.has(key)) continue;
      const delivered = await this.send(to, link).then(() => true).catch(() => false);
      if (delivered) this.told.add(key);
    }
  }
}
