import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { imageCostUsd, roundUsd } from '../../domain/price-table.js';
import { firstPassCostUsd, plannedGridCostUsd, worstCaseCostUsd } from '../../domain/sequence-unit.js';
import { priceTablePath } from '../../config/pricing.js';
import { loadEpisodeOrExit } from '../load-or-exit.js';
import { newTable } from '../table.js';
import { connectClient } from '../connect.js';
import { temporalTarget } from '../../temporal/connection-config.js';
import { isServerHealthy } from '../../temporal/dev-server.js';
import { readEpisodeMoney, renderMoney } from '../../review/read-money.js';
import { readReconciliation } from '../../store/billing/reconciliation-file.js';
import { storeFromEnv } from '../../store/store-from-env.js';
import { renderPriceCheck } from '../../review/read-billing.js';

export function registerEstimate(program: Command): void {
  program
    .command('estimate')
    .description(COMMAND_SUMMARIES['estimate'])
    .argument('<project-dir>', 'the client project folder')
    .requiredOption('--episode <id>', 'the episode, e.g. EP001')
    .option('--only <ids>', 'comma-separated sequence ids')
    .action(async (projectDir: string, opts: { episode: string; only?: string }) => {
      const { project, plan, units, pricing } = await loadEpisodeOrExit(projectDir, opts.episode, opts.only);
      const maxTakes = project.max_takes_per_sequence;
      const table = newTable(['Sequence', 'Model', 'Shots', 'Seconds', 'Start-frame grid', 'First take', `Worst case (${maxTakes} takes)`]);
      for (const u of units) {
        const grid = plannedGridCostUsd(u) > 0 ? usd(plannedGridCostUsd(u), 3) : '—';
        table.push([u.sequenceId, u.model, u.shots.length, u.totalDurationSec, grid, usd(u.estimatedCostUsd), usd(worstCaseCostUsd([u], maxTakes))]);
      }
      const grids = roundUsd(units.reduce((sum, u) => sum + plannedGridCostUsd(u), 0));
      const first = firstPassCostUsd(units);
      const seconds = units.reduce((s, u) => s + u.totalDurationSec, 0);
      table.push(['Total', '', '', seconds, grids > 0 ? usd(grids, 3) : '—', usd(roundUsd(first - grids)), usd(worstCaseCostUsd(units, maxTakes))]);
      console.log(table.toString());
      const budget = plan.budget_usd ?? project.budget_usd;
      console.log(
        budget === undefined
          ? 'No budget set (plan or project budget_usd).'
          : `Budget for ${plan.episode}: ${usd(budget)} — one grid and one take of each sequence use ${Math.round((first / budget) * 100)}% (${usd(first)}).`,
      );
      console.log(`Audio ${project.generate_audio ? 'on' : 'off'}; grids on ${pricing.gridModel}, each regenerated grid ${usd(imageCostUsd(pricing.gridRate), 3)} more.`);
      console.log(`Prices from ${pricingSource()}. The local provider costs nothing.`);
      const falPrices = (await readReconciliation(storeFromEnv()))?.falPrices;
      if (falPrices) console.log(`Checked against fal's prices read ${falPrices.checkedAt.slice(0, 16).replace('T', ' ')}:\n${renderPriceCheck(pricing.table, falPrices.prices)}`);
      const live = await liveMoney(project.id, plan.episode);
      if (live) console.log(`Running now: ${live}`);
    });
}

/** Spent and reserved so far, when the episode is running and a server answers; nothing otherwise. */
async function liveMoney(projectId: string, episode: string): Promise<string | undefined> {
  if (!(await isServerHealthy(temporalTarget().address))) return undefined;
  const connected = await connectClient().catch(() => undefined);
  if (!connected) return undefined;
  try {
    const [status] = await readEpisodeMoney(connected.client, connected.connection, projectId, [episode]);
    return status ? renderMoney(status) : undefined;
  } finally {
    await connected.connection.close();
  }
}

function pricingSource(): string {
  return process.env.RECOIL_PRICES ? `${priceTablePath()} (RECOIL_PRICES)` : priceTablePath();
}

function usd(value: number, decimals = 2): string {
  return `$${value.toFixed(decimals)}`;
}
