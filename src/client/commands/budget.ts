import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { withClient } from '../connect.js';
import { changeEpisodeBudget } from '../decisions.js';
import { defaultActor } from '../identity.js';
import { reportOutcome } from '../report-outcome.js';

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
      const outcome = await withClient((client) => changeEpisodeBudget(client, { projectId, episode }, budgetUsd, opts.by));
      reportOutcome(`set the budget of ${projectId}/${episode} to $${budgetUsd.toFixed(2)}`, outcome);
    });
}
