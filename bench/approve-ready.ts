import type { Client } from '@temporalio/client';
import { approveUpdate, statusQuery } from '../src/contract/sequence.js';
import { sequenceWorkflowId } from '../src/domain/ids.js';

/**
 * One pass over an episode's sequences: every first take ready for review and not yet in `approved`
 * is approved through the approve Update and added to it. Returns each Update's round trip in ms.
 */
export async function approveReadyTakes(client: Client, projectId: string, units: readonly { sequenceId: string }[], approved: Set<string>): Promise<number[]> {
  const roundTrips: number[] = [];
  await Promise.all(
    units
      .filter((u) => !approved.has(u.sequenceId))
      .map(async (u) => {
        const seq = client.workflow.getHandle(sequenceWorkflowId(projectId, 'EP001', u.sequenceId));
        const status = await seq.query(statusQuery).catch(() => undefined);
        if (status?.state !== 'video_complete') return;
        const asked = performance.now();
        await seq.executeUpdate(approveUpdate, { args: [{ take: 1, by: 'bench', requestId: `bench-${u.sequenceId}` }] });
        roundTrips.push(performance.now() - asked);
        approved.add(u.sequenceId);
      }),
  );
  return roundTrips;
}
