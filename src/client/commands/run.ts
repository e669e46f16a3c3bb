import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import pc from 'picocolors';
import { MODELS, PROVIDER_NAMES, type ProviderName } from '../../domain/models.js';
import type { SequenceUnit } from '../../domain/sequence-unit.js';
import { usageError } from '../../domain/cli-error.js';
import { connectClient, type ConnectedClient } from '../connect.js';
import { temporalTarget } from '../../temporal/connection-config.js';
import { tracesEndpointFromEnv } from '../../telemetry/traces-endpoint.js';
import { episodeInput } from '../episode-input.js';
import { defaultActor } from '../identity.js';
import { loadEpisodeOrExit, type LoadedEpisode } from '../load-or-exit.js';
import { startOrFindEpisode } from '../start-episode.js';
import { ensureReconcileSchedule } from '../reconcile-schedule.js';
import { RECONCILE_EVERY, RECONCILE_SCHEDULE_ID } from '../../contract/billing.js';
import { projectUiUrl, uiBaseUrl } from '../../review/ui-url.js';
import { hasLiveWorker, NO_WORKER_HINT } from '../../review/worker-presence.js';
import { storeProjectInputs } from '../../store/project-inputs.js';
import { storeFromEnv } from '../../store/store-from-env.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(COMMAND_SUMMARIES['run'])
    .argument('<project-dir>', 'the client project folder')
    .requiredOption('--episode <id>', 'the episode, e.g. EP001')
    .option('--only <ids>', 'comma-separated sequence ids to run')
    .option('--provider <name>', `who generates the video: ${PROVIDER_NAMES.join(' | ')}`, 'local')
    .action(async (projectDir: string, opts: { episode: string; only?: string; provider: string }) => {
      const provider = parseProvider(opts.provider);
      const loaded = await loadEpisodeOrExit(projectDir, opts.episode, opts.only);
      const { project, plan, units } = loaded;
      checkModels(provider, units, loaded.planFile);
      checkKeys(provider, units);
      // Traced only when an OTLP endpoint is set: the tracing code is not even loaded otherwise.
      const tracing = tracesEndpointFromEnv() ? (await import('../../telemetry/client-tracing.js')).startClientTracing() : undefined;
      const connected = await connectClient(temporalTarget(), tracing?.interceptors);
      const start = (traceId?: string) => startAndTell(connected, loaded, provider, traceId);
      if (!tracing) return start();
      try {
        await tracing.inSpan('recoil run', { 'recoil.project': project.id, 'recoil.episode': plan.episode, 'recoil.provider': provider }, start);
      } finally {
        await tracing.shutdown();
      }
    });
}

/** Starts the episode (or finds it running) and tells the person where to follow it. */
async function startAndTell(connected: ConnectedClient, loaded: LoadedEpisode, provider: ProviderName, traceId?: string): Promise<void> {
  const { client, connection, address, namespace, taskQueue } = connected;
  const { project, plan } = loaded;
  try {
    // In a bucket, the project's images go with the episode: its workers need no copy of the folder.
    const units = await storeProjectInputs(storeFromEnv(), loaded.units);
    const { handle, started } = await startOrFindEpisode(client, episodeInput({ ...loaded, units }, provider, defaultActor()), taskQueue);
    console.log(
      started
        ? `${pc.green('▶')} started ${handle.workflowId}: ${units.length} sequences on ${provider}, at most ${project.max_parallel_sequences} generating at once`
        : `${pc.cyan('●')} ${handle.workflowId} is already running: nothing new was started`,
    );
    if (provider === 'fal' && (await ensureReconcileSchedule(client, taskQueue)) === 'created') {
      console.log(`  fal's bill is read every ${RECONCILE_EVERY} (Schedule ${RECONCILE_SCHEDULE_ID}); now: npx recoil reconcile ${project.id}`);
    }
    if (!(await hasLiveWorker(client, taskQueue))) console.log(pc.yellow(`! ${NO_WORKER_HINT}; the episode will start when one does`));
    console.log(`  follow it: npx recoil status ${project.id} --episode ${plan.episode} --watch`);
    console.log(`  Web UI:    ${projectUiUrl(project.id, namespace, uiBaseUrl(address))}`);
    if (traceId) console.log(`  trace:     ${traceId}`);
  } finally {
    await connection.close();
  }
}

function parseProvider(name: string): ProviderName {
  if (!(PROVIDER_NAMES as readonly string[]).includes(name)) throw usageError(`unknown provider "${name}": use one of ${PROVIDER_NAMES.join(', ')}`);
  return name as ProviderName;
}

/** fal runs Kling models only: a sequence on the offline model would fail after the episode started. */
function checkModels(provider: ProviderName, units: SequenceUnit[], planFile: string): void {
  if (provider !== 'fal') return;
  const offline = units.filter((u) => MODELS[u.model].provider !== 'fal');
  if (offline.length === 0) return;
  const which = offline.map((u) => `${u.sequenceId} (model "${u.model}")`).join(', ');
  throw usageError(`${which} cannot run on fal: set "model" to kling-o3 or kling-o3-pro in ${planFile} (or default_model in project.json), or run with --provider local`);
}

/**
 * Paid providers need keys in the worker's environment. `recoil dev` runs the worker from this
 * shell, so a missing key here is reported before anything starts (RECOIL_SKIP_KEY_CHECK=1 when
 * the worker runs elsewhere with its own keys).
 */
function checkKeys(provider: ProviderName, units: SequenceUnit[]): void {
  if (provider !== 'fal' || process.env.RECOIL_SKIP_KEY_CHECK) return;
  const missing = [
    process.env.FAL_KEY ? undefined : 'FAL_KEY (fal.ai, for the videos)',
    process.env.GEMINI_API_KEY || !units.some((u) => u.startFrame?.kind === 'prompt') ? undefined : 'GEMINI_API_KEY (for start-frame grids)',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw usageError(`--provider fal needs ${missing.join(' and ')} in the environment of the worker: export it before \`npx recoil dev\` (nothing was started)`);
  }
}
