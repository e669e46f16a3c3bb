import { dataConverterFromEnv } from '../../codec/data-converter.js';
import { packagePath } from '../../install/package-root.js';
import { Client, Connection } from '@temporalio/client';
import pc from 'picocolors';
import { deliveryFiles } from '../../store/delivery/delivery-files.js';
import { DELIVERY_MANIFEST_FILE } from '../../store/delivery/delivery-manifest.js';
import { runWorker, type RunWorkerOptions } from '../../worker/run-worker.js';
import { workerFromEnv } from '../../worker/worker-from-env.js';
import { renderBoard, renderTakeLocations } from '../board.js';
import { episodeInput } from '../episode-input.js';
import { loadEpisodeOrExit } from '../load-or-exit.js';
import { ensureLocalServer } from '../local-server.js';
import { startOrFindEpisode } from '../start-episode.js';
import { readBoard } from '../../review/read-board.js';
import { episodeConsoleUrl } from '../../console/console-url.js';
import { projectUiUrl } from '../../review/ui-url.js';
import { directEpisode } from './director.js';

export const EXAMPLE_PROJECT = packagePath('examples', 'driver-beware');

export interface DemoOptions {
  projectDir: string;
  episode: string;
}

/** The whole pipeline offline: server, worker, validation, an episode with a retake, approvals, delivery. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const loaded = await loadEpisodeOrExit(options.projectDir, options.episode);
  const { project, plan, units } = loaded;
  console.log(`${pc.green('✓')} ${project.id} ${plan.episode} is valid: ${units.length} sequences, ${units.reduce((s, u) => s + u.totalDurationSec, 0)} s of video`);

  const server = await ensureLocalServer();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, ...dataConverterFromEnv() });
  try {
    console.log(`${pc.cyan('●')} preparing the worker…`);
    const worker: RunWorkerOptions = {
      ...workerFromEnv(loaded.pricing, server),
      onStart: ({ workflows }) => console.log(`${pc.cyan('●')} worker ready; workflows: ${workflows}`),
    };
    await runWorker(worker, async () => {
      const { handle, started } = await startOrFindEpisode(client, episodeInput(loaded, 'local', 'demo'), server.taskQueue);
      console.log(`${pc.cyan('▶')} ${started ? 'started' : 'found running'} ${handle.workflowId}; takes go to ${worker.store.where}`);
      const retakeUnit = units[1];
      await directEpisode(client, {
        projectId: project.id,
        episode: plan.episode,
        sequenceIds: units.map((u) => u.sequenceId),
        quadrant: 3,
        ...(retakeUnit ? { retakeSequence: retakeUnit.sequenceId, noteSequence: retakeUnit.sequenceId } : {}),
        retakePrompt: { shot: 1, prompt: 'Slow push-in on the rear-view mirror: the one-eyed @sedan grows out of the rain, hold two beats' },
        deadlineMs: 15 * 60_000,
      });
      const summary = await handle.result();
      const rows = await readBoard(client, connection, { projectId: project.id, episode: plan.episode });
      console.log(`\n${renderBoard(rows)}\nTakes:\n${renderTakeLocations(rows)}`);
      if (summary.deliveryPath) {
        console.log(`\n${pc.green('✓')} delivered cut: ${summary.deliveryPath}`);
        const { otio, edl, contactSheet, contactSheetPdf } = deliveryFiles(plan.episode);
        console.log(`  beside it, the editorial hand-off: ${otio}, ${edl}, ${contactSheet}, ${contactSheetPdf}, ${DELIVERY_MANIFEST_FILE}`);
      }
      console.log(`\nWeb UI: ${projectUiUrl(project.id, server.namespace, server.uiUrl)}`);
      console.log(
        server.startedHere
          ? pc.dim('The dev server stops with the demo; `npx recoil dev` brings the Web UI back with this history.')
          : pc.dim('The server keeps running: the Web UI shows these workflows now.'),
      );
      console.log(`Review this episode in the console: run \`npx recoil dev\` (or \`npx recoil console\` beside a running one) and open ${episodeConsoleUrl({ projectId: project.id, episode: plan.episode })}`);
    });
  } finally {
    await connection.close();
    await server.release();
  }
}
