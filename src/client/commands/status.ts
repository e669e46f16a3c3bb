import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderBoard, renderDecisions, renderSubmissionQuestions, renderTakeLocations } from '../board.js';
import { connectClient } from '../connect.js';
import { readAccountGates, renderAccountGate } from '../read-account-gates.js';
import { readBoard } from '../../review/read-board.js';
import { readEpisodeBilling, renderBilledSplit, renderUnclaimed } from '../../review/read-billing.js';
import { readDeliveries, renderDeliveries } from '../read-deliveries.js';
import { readBlockedWithoutAnswer, readEpisodeMoney, renderDeliveryBlock, renderMoney } from '../../review/read-money.js';
import { resolveProjectId } from '../resolve-project-id.js';
import { NO_WORKER_HINT } from '../../review/worker-presence.js';
import { describeDeployment, type DeploymentState } from '../../temporal/worker-deployment.js';
import { deploymentFromEnv } from '../../worker/deployment-from-env.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(COMMAND_SUMMARIES['status'])
    .argument('<project>', 'the project id (or its folder)')
    .option('--episode <id>', 'only this episode')
    .option('--watch', 'keep refreshing until Ctrl-C')
    .option('--json', 'machine-readable output')
    .action(async (project: string, opts: { episode?: string; watch?: boolean; json?: boolean }) => {
      const projectId = await resolveProjectId(project);
      const { client, connection, taskQueue, namespace } = await connectClient();
      const deploymentName = deploymentFromEnv('if-none').name;
      try {
        do {
          // Every read goes out at once; only the per-episode ones wait for the board to name the episodes.
          const [rows, accounts, deployment] = await Promise.all([
            readBoard(client, connection, { projectId, ...(opts.episode ? { episode: opts.episode } : {}) }),
            readAccountGates(client, connection, taskQueue),
            describeDeployment(connection, { namespace, deploymentName }),
          ]);
          const workerUp = rows.every((r) => !r.running || r.status);
          const episodes = [...new Set([...rows.map((r) => r.episode), ...(opts.episode ? [opts.episode] : [])])];
          const [money, deliveries, billing] = await Promise.all([
            readEpisodeMoney(client, connection, projectId, episodes),
            readDeliveries(projectId, episodes),
            Promise.all(
              episodes.map(async (episode) => ({ episode, ...(await readEpisodeBilling(projectId, episode, rows.filter((r) => r.episode === episode).map((r) => r.sequenceId))) })),
            ),
          ]);
          const silentBlocked = await readBlockedWithoutAnswer(client, projectId, episodes, money);
          if (opts.json) {
            console.log(JSON.stringify({ projectId, workerRunning: workerUp, deployment: { name: deploymentName, current: deployment?.current, builds: deployment?.builds ?? [] }, episodes: money, billing, sequences: rows, deliveries, accounts }, null, 2));
          } else {
            if (opts.watch) process.stdout.write('\x1Bc');
            console.log(renderBoard(rows));
            const questions = renderSubmissionQuestions(rows, project);
            if (questions) console.log(`Waiting for your decision:\n${questions}`);
            for (const episode of money) console.log(renderMoney(episode));
            // Offline takes cost nothing and fal never bills them: no line until there is money or a bill.
            for (const b of billing.filter((e) => e.spend.totalUsd > 0 || e.readUntil)) console.log(`${b.episode}: ${renderBilledSplit(b)}`);
            const unclaimed = renderUnclaimed(billing[0]?.unclaimed ?? []);
            if (unclaimed) console.log(unclaimed);
            for (const block of [...money.map(renderDeliveryBlock), ...silentBlocked]) if (block) console.log(block);
            const takes = renderTakeLocations(rows);
            if (takes) console.log(`Takes:\n${takes}`);
            const decisions = renderDecisions(rows);
            if (decisions) console.log(`Decisions:\n${decisions}`);
            if (deliveries.length > 0) console.log(`Deliveries:\n${renderDeliveries(deliveries)}`);
            for (const account of accounts) console.log(renderAccountGate(account));
            console.log(renderBuilds(deploymentName, deployment));
            if (!workerUp) console.log(`! ${NO_WORKER_HINT}`);
          }
          if (opts.watch) await sleep(2_000);
        } while (opts.watch);
      } finally {
        await connection.close();
      }
    });
}

/** Which build new work goes to, and which older ones still finish what they started. */
function renderBuilds(deploymentName: string, state: DeploymentState | undefined): string {
  if (!state?.current) return `Workers: no build of deployment ${deploymentName} is current yet`;
  const others = state.builds.filter((build) => build.buildId !== state.current && build.status !== 'inactive' && build.status !== 'drained');
  const finishing = others.length > 0 ? `; ${others.map((build) => `${build.buildId} ${build.status}`).join(', ')} (\`recoil deploy status\`)` : '';
  return `Workers: build ${state.current} of deployment ${deploymentName} takes new work${finishing}`;
}
