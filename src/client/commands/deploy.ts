import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import pc from 'picocolors';
import type { Client } from '@temporalio/client';
import { deploymentFromEnv } from '../../worker/deployment-from-env.js';
import { describeDeployment, makeCurrent, newestBuild, previousBuild, type DeploymentTarget } from '../../temporal/worker-deployment.js';
import { runtimeError, usageError } from '../../domain/cli-error.js';
import { connectClient } from '../connect.js';
import { defaultActor } from '../identity.js';
import { readDeployment, type DeploymentView } from '../read-deployment.js';
import { newTable } from '../table.js';

export function registerDeploy(program: Command): void {
  const deploy = program
    .command('deploy')
    .description(COMMAND_SUMMARIES['deploy']);
  deploy
    .command('status')
    .description('every build of the deployment, which one is current, and the open workflows each one runs')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const view = await withDeployment((client, target) => readDeployment(client, target));
      console.log(opts.json ? JSON.stringify(view, null, 2) : renderDeployment(view));
    });
  deploy
    .command('promote')
    .description('make a build current: new episodes and sequences start on it, waiting ones stay on their own build')
    .argument('[build-id]', 'the build to make current (default: the newest build that is not current)')
    .action(async (buildId: string | undefined) => {
      await withDeployment((client, target) => switchTo(client, target, buildId, 'newest'));
    });
  deploy
    .command('rollback')
    .description('make the build that was current before this one current again')
    .option('--to <build-id>', 'a particular earlier build instead')
    .action(async (opts: { to?: string }) => {
      await withDeployment((client, target) => switchTo(client, target, opts.to, 'previous'));
    });
  for (const command of deploy.commands) command.exitOverride();
}

async function withDeployment<T>(work: (client: Client, target: DeploymentTarget) => Promise<T>): Promise<T> {
  const { name } = deploymentFromEnv('if-none');
  const { client, connection, namespace } = await connectClient();
  try {
    return await work(client, { namespace, deploymentName: name });
  } finally {
    await connection.close();
  }
}

async function switchTo(client: Client, target: DeploymentTarget, named: string | undefined, fallback: 'newest' | 'previous'): Promise<void> {
  const state = await describeDeployment(client.connection, target);
  if (!state) throw runtimeError(`no worker of deployment ${target.deploymentName} has polled ${target.namespace} yet: start one with \`recoil worker\``);
  const buildId = named ?? (fallback === 'newest' ? newestBuild(state) : previousBuild(state))?.buildId;
  if (!buildId) throw runtimeError(fallback === 'newest' ? `no build of ${target.deploymentName} other than the current one (${state.current}) has polled: start the new build's worker first` : `no earlier build of ${target.deploymentName} to return to`);
  if (!state.builds.some((build) => build.buildId === buildId)) {
    throw usageError(`${target.deploymentName} has no build ${buildId}; its builds are ${state.builds.map((build) => build.buildId).join(', ')}`);
  }
  if (state.current === buildId) {
    console.log(`${buildId} is already current`);
    return;
  }
  await makeCurrent(client.connection, target, buildId, defaultActor(), { decidedOn: state }).catch((error: Error) => {
    throw runtimeError(`the server refused to make ${buildId} current: ${error.message}`);
  });
  console.log(`${pc.green('✓')} ${buildId} is current: new episodes and sequences start on it${state.current ? `; workflows pinned to ${state.current} finish there (keep its workers until \`recoil deploy status\` shows it drained)` : ''}`);
}

export function renderDeployment(view: DeploymentView): string {
  if (view.builds.length === 0) return `no worker of deployment ${view.deploymentName} has polled yet`;
  const table = newTable(['build', 'status', 'open workflows', 'since']);
  for (const build of [...view.builds].reverse()) {
    table.push([build.buildId === view.current ? pc.bold(build.buildId) : build.buildId, build.status, describeOpen(build.open), build.createdAt?.toISOString() ?? '']);
  }
  const lines = [`deployment ${view.deploymentName}: current ${view.current ?? 'none'}${view.ramping ? `, ramping ${view.ramping}` : ''}`, table.toString()];
  if (view.unversioned.length > 0) lines.push(`${view.unversioned.length} open workflow(s) on no build yet: ${describeOpen(view.unversioned)}`);
  return lines.join('\n');
}

function describeOpen(open: DeploymentView['unversioned']): string {
  if (open.length === 0) return '—';
  const byType = new Map<string, number>();
  for (const workflow of open) {
    const kind = `${workflow.type}${workflow.behavior ? ` (${workflow.behavior === 'Pinned' ? 'pinned' : 'auto-upgrade'})` : ''}`;
    byType.set(kind, (byType.get(kind) ?? 0) + 1);
  }
  return [...byType].map(([type, count]) => `${count} ${type}`).join(', ');
}
