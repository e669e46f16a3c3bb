import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { usageError } from '../../domain/cli-error.js';
import { connectClient, withClient } from '../connect.js';
import { listBoardRows } from '../../review/read-board.js';
import { readEpisodeBilling, renderBilledSplit, renderUnclaimed } from '../../review/read-billing.js';
import { readEpisodeMoney, renderMoney } from '../../review/read-money.js';
import { resolveProjectId } from '../resolve-project-id.js';
import { changeEpisodeBudget } from '../../review/decisions.js';
import { defaultActor } from '../identity.js';
import { reportOutcome } from '../report-outcome.js';

export function registerBudget(program: Command): void {
  program
    .command('budget')
    .description(COMMAND_SUMMARIES['budget'])
    .argument('<project>', 'project id (or its folder)')
    .argument('<episode>', 'episode id, e.g. EP001')
    .option('--set <usd>', 'the new budget in US dollars; sequences waiting for money continue when it fits')
    .option('--by <name>', 'who decides', defaultActor())
    .action(async (project: string, episode: string, opts: { set?: string; by: string }) => {
      const projectId = await resolveProjectId(project);
      if (opts.set === undefined) return showMoney(projectId, episode);
      const budgetUsd = Number(opts.set);
      if (!Number.isFinite(budgetUsd) || budgetUsd <= 0) throw usageError(`--set takes an amount in dollars like 80, got "${opts.set}"`);
      const outcome = await withClient((client) => changeEpisodeBudget(client, { projectId, episode }, budgetUsd, opts.by));
      reportOutcome(`set the budget of ${projectId}/${episode} to $${budgetUsd.toFixed(2)}`, outcome);
    });
}

/** The money line as the episode counts it, how much of it fal billed, and the account's unclaimed charges. */
async function showMoney(projectId: string, episode: string): Promise<void> {
  const { client, connection } = await connectClient();
  try {
    const [status] = await readEpisodeMoney(client, connection, projectId, [episode]);
    const sequenceIds = (await listBoardRows(client, { projectId, episode })).map((r) => r.sequenceId);
    const billing = await readEpisodeBilling(projectId, episode, sequenceIds);
    console.log(status ? renderMoney(status) : `${episode}: spent $${billing.spend.totalUsd.toFixed(2)} (no worker answers for the running episode; its budget shows while one runs)`);
    console.log(`${episode}: ${renderBilledSplit(billing)}`);
    console.log(renderUnclaimed(billing.unclaimed) || 'no unclaimed charges: every request fal billed is a take\'s');
  } finally {
    await connection.close();
  }
}
