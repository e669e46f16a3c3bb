import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import type { SubmissionAction } from '../../contract/sequence.js';
import { usageError } from '../../domain/cli-error.js';
import { withClient } from '../connect.js';
import { decideOnSequence } from '../../review/decisions.js';
import { defaultActor } from '../identity.js';
import { reportOutcome } from '../report-outcome.js';
import { resolveProjectId } from '../resolve-project-id.js';

interface SettleOptions {
  take?: string;
  adopt?: string | true;
  resubmit?: boolean;
  giveUp?: boolean;
  by: string;
}

const USAGE = 'recoil settle <project-dir> <episode> <sequence> --take N (--adopt <request-id> | --resubmit | --give-up)';

export function registerSettle(program: Command): void {
  program
    .command('settle')
    .description(COMMAND_SUMMARIES['settle'])
    .argument('<project>', 'the project folder (or its id)')
    .argument('<episode>', 'episode id, e.g. EP001')
    .argument('<sequence>', 'sequence id, e.g. SEQ01')
    .option('--take <n>', 'the take whose submission was cut off (`recoil status` names it)')
    .option('--adopt [request-id]', 'fal\'s request id that is this take\'s job (from fal\'s dashboard)')
    .option('--resubmit', 'submit the take again (fal may then run, and bill, it twice)')
    .option('--give-up', 'fail the take; it counts at its estimate, as fal may have run it')
    .option('--by <name>', 'who decides', defaultActor())
    .action(async (project: string, episode: string, sequenceId: string, opts: SettleOptions) => {
      const { take, action, providerRequestId } = parseSettleOptions(opts);
      const projectId = await resolveProjectId(project);
      const decision = { kind: 'settleSubmission', take, action, ...(providerRequestId ? { providerRequestId } : {}) } as const;
      const outcome = await withClient((client) => decideOnSequence(client, { projectId, episode, sequenceId }, decision, opts.by));
      const what = { adopt: `adopt request ${providerRequestId} as take ${take}`, resubmit: `submit take ${take} again`, give_up: `give up take ${take}` }[action];
      reportOutcome(`${what} of ${sequenceId}`, outcome);
    });
}

/** Exactly one action, and a request id with --adopt; anything else names the flag and the fix. */
export function parseSettleOptions(opts: SettleOptions): { take: number; action: SubmissionAction; providerRequestId?: string } {
  if (opts.take === undefined) throw usageError(`--take is missing: name the take whose submission was cut off (\`recoil status\` shows it), e.g. --take 1\n  usage: ${USAGE}`);
  const take = Number(opts.take);
  if (!/^\d+$/.test(opts.take) || !Number.isInteger(take) || take < 1) throw usageError(`--take must be a take number like 1 or 2, got "${opts.take}"`);
  const chosen = [opts.adopt !== undefined && '--adopt', opts.resubmit && '--resubmit', opts.giveUp && '--give-up'].filter((f): f is string => Boolean(f));
  if (chosen.length === 0) throw usageError(`say what to do with take ${take}: one of --adopt <request-id>, --resubmit or --give-up\n  usage: ${USAGE}`);
  if (chosen.length > 1) throw usageError(`${chosen.join(' and ')} cannot go together: pick one of --adopt <request-id>, --resubmit or --give-up`);
  if (opts.adopt !== undefined) {
    const id = typeof opts.adopt === 'string' ? opts.adopt.trim() : '';
    if (!id) throw usageError('--adopt needs fal\'s request id: --adopt <request-id>; find it on fal\'s dashboard (Requests) for this endpoint at the time of the cut-off');
    if (!/^[\w.-]{1,200}$/.test(id)) throw usageError(`--adopt: "${id}" is not a fal request id (letters, digits, dots and dashes); copy it from fal's dashboard`);
    return { take, action: 'adopt', providerRequestId: id };
  }
  return { take, action: opts.resubmit ? 'resubmit' : 'give_up' };
}
