import type { Command } from 'commander';
import pc from 'picocolors';
import { episodeWorkflowId } from '../../domain/ids.js';
import { episodeStatusQuery, setBudgetSignal } from '../../workflows/episode-messages.js';
import { usageError } from '../cli-error.js';
import { connectClient } from '../connect.js';
import { defaultActor } from '../identity.js';

export function registerBudget(program: Command): void {
  program
    .command('budget')
    .description('set an episode\'s budget; sequences waiting for money continue when it fits')
    .argument('<project>', 'project id')
    .argument('<episode>', 'episode id, e.g. EP001')
    .requiredOption('--set <usd>', 'the new budget in US dollars')
    .option('--by <name>', 'who decides', defaultActor())
    .action(async (projectId: string, episode: string, opts: { set: string; by: string }) => {
      const budgetUsd = Number(opts.set);
      if (!Number.isFinite(budgetUsd) || budgetUsd <= 0) throw usageError(`--set takes an amount in dollars like 80, got "${opts.set}"`);
      const { client, connection } = await connectClient();
      try {
        const handle = client.workflow.getHandle(episodeWorkflowId(projectId, episode));
        const description = await handle.describe().catch(() => undefined);
        if (description?.status.name !== 'RUNNING') throw usageError(`episode ${projectId}/${episode} is not running: start it with \`npx recoil run\``);
        await handle.signal(setBudgetSignal, { budgetUsd, by: opts.by });
        const status = await connection.withDeadline(Date.now() + 3_000, () => handle.query(episodeStatusQuery)).catch(() => undefined);
        const summary = status ? ` (spent $${status.spentUsd.toFixed(2)}, reserved $${status.reservedUsd.toFixed(2)})` : ' (it applies when a worker runs)';
        console.log(`${pc.green('✓')} budget of ${projectId}/${episode} set to $${budgetUsd.toFixed(2)}${summary}`);
      } finally {
        await connection.close();
      }
    });
}
