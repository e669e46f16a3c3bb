import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import pc from 'picocolors';
import type { ReconcileInput, ReconcileReport } from '../../contract/billing.js';
import { runtimeError, usageError } from '../../domain/cli-error.js';
import { connectClient } from '../connect.js';
import { renderPriceCheck, renderUnclaimed } from '../../review/read-billing.js';
import { loadPricingOrExit } from '../load-or-exit.js';
import type { PriceTable } from '../../domain/price-table.js';
import { RECONCILE_WORKFLOW } from '../reconcile-schedule.js';
import { resolveProjectId } from '../resolve-project-id.js';
import { newTable } from '../table.js';
import { takeFolderName } from '../../domain/ids.js';
import { hasLiveWorker, NO_WORKER_HINT } from '../../review/worker-presence.js';

const DURATION_UNITS_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description(COMMAND_SUMMARIES['reconcile'])
    .argument('[project]', 'only this project\'s takes (its id or folder); unclaimed charges are the account\'s')
    .option('--since <when>', 'read from this moment instead of the last reading: an ISO date/time, or 30m, 12h, 7d ago')
    .option('--json', 'machine-readable output')
    .action(async (project: string | undefined, opts: { since?: string; json?: boolean }) => {
      const input: ReconcileInput = {
        ...(project ? { projectId: await resolveProjectId(project) } : {}),
        ...(opts.since ? { since: parseSince(opts.since) } : {}),
      };
      const { client, connection, taskQueue } = await connectClient();
      try {
        // fal's admin key lives only in the worker's environment, so the reading is the worker's to make.
        if (!(await hasLiveWorker(client, taskQueue))) throw runtimeError(`${NO_WORKER_HINT}: fal's records are read by a worker, which holds FAL_ADMIN_KEY`);
        const report = await client.workflow.execute(RECONCILE_WORKFLOW, { taskQueue, workflowId: `recoil-reconcile-${Date.now()}`, args: [input] }) as ReconcileReport;
        console.log(opts.json ? JSON.stringify(report, null, 2) : renderReport(report, (await loadPricingOrExit()).table));
        if (!report.readable) process.exitCode = 1;
      } finally {
        await connection.close();
      }
    });
}

/** An ISO moment, or a span back from now ("90m", "12h", "7d"). */
export function parseSince(value: string, now = Date.now()): string {
  const span = /^(\d+)([mhd])$/.exec(value.trim());
  if (span) return new Date(now - Number(span[1]) * DURATION_UNITS_MS[span[2]!]!).toISOString();
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw usageError(`--since "${value}" is neither a date/time (2026-12-01T09:00Z) nor a span back from now (90m, 12h, 7d)`);
  if (at > now) throw usageError(`--since ${value} is in the future: give a moment in the past`);
  return new Date(at).toISOString();
}

function renderReport(report: ReconcileReport, table: PriceTable): string {
  if (!report.readable) return `${pc.red('✗')} ${report.why}`;
  const lines = [`${pc.green('✓')} read fal's billing records from ${report.since} to ${report.until}`];
  if (report.reconciled.length === 0) lines.push('  no take changed: every take already carries what fal billed, or its record has not appeared yet');
  else lines.push(takesTable(report));
  const unclaimed = renderUnclaimed(report.unclaimed);
  lines.push(unclaimed ? pc.yellow(unclaimed) : '  no unclaimed charges: every billed request is a take\'s');
  if (report.falPrices) lines.push(renderPriceCheck(table, report.falPrices));
  if (report.pricesError) lines.push(pc.yellow(`! ${report.pricesError}`));
  return lines.join('\n');
}

function takesTable(report: ReconcileReport): string {
  const table = newTable(['Take', 'Request', 'Recorded', 'fal', '']);
  for (const t of report.reconciled) {
    const verdict = t.billing.state === 'billed' ? `billed ${t.billing.billedAt?.slice(0, 16).replace('T', ' ') ?? ''}` : 'not charged';
    table.push([`${t.projectId} ${t.episode} ${t.sequenceId} ${takeFolderName(t.take)}`, t.billing.requestId, `$${t.recordedUsd.toFixed(3)}`, `$${t.billing.usd.toFixed(3)}`, verdict]);
  }
  return table.toString();
}
