import type { Client } from '@temporalio/client';
import { listBoardRows } from '../src/review/read-board.js';
import { approveUpdate } from '../src/contract/sequence.js';

/**
 * One pass over an episode's sequences, read the way a person's board reads them (one listing, no
 * queries to the busy worker): every first take ready for review and not yet in `approved` is
 * approved through the approve Update and added to it. Returns each Update's round trip in ms.
 */
export async function approveReadyTakes(client: Client, projectId: string, approved: Set<string>): Promise<number[]> {
  const rows = await listBoardRows(client, { projectId });
  const ready = rows.filter((row) => row.running && row.state === 'video_complete' && !approved.has(row.sequenceId));
  return Promise.all(
    ready.map(async (row) => {
      const asked = performance.now();
      await client.workflow.getHandle(row.workflowId).executeUpdate(approveUpdate, { args: [{ take: 1, by: 'bench', requestId: `bench-${row.sequenceId}` }] });
      approved.add(row.sequenceId);
      return performance.now() - asked;
    }),
  );
}
