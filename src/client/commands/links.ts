import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import pc from 'picocolors';
import { DEFAULT_CONSOLE_URL } from '../../console/console-url.js';
import { createLink, linkState, listLinks, MAX_LINK_DAYS, parseTakeList, revokeLink } from '../../console/review-links.js';
import { storeFromEnv } from '../../store/store-from-env.js';
import { usageError } from '../../domain/cli-error.js';
import { defaultActor } from '../identity.js';
import { newTable } from '../table.js';

interface CreateFlags {
  guest: string;
  days: string;
  takes?: string;
  console: string;
  by?: string;
}

/** Client review links, as the console's Client links page makes them; kept beside the artifacts. */
export function registerLinks(program: Command): void {
  const links = program.command('links').description(COMMAND_SUMMARIES['links']);
  links
    .command('list', { isDefault: true })
    .description('every link (active, expired, withdrawn), newest first')
    .argument('[project]', 'only this project')
    .argument('[episode]', 'only this episode')
    .option('--json', 'machine-readable output')
    .action(async (projectId: string | undefined, episode: string | undefined, opts: { json?: boolean }) => {
      const found = await listLinks(storeFromEnv(), projectId ? { projectId, ...(episode ? { episode } : {}) } : undefined);
      const shown = found.map(({ hash: _secretDigest, ...link }) => ({ ...link, state: linkState(link) }));
      if (opts.json) return console.log(JSON.stringify(shown, null, 2));
      if (shown.length === 0) return console.log('no review links yet: `npx recoil links create <project> <episode> --guest NAME`');
      const table = newTable(['id', 'project', 'episode', 'for', 'takes', 'open until (UTC)', 'state']);
      for (const link of shown) {
        table.push([link.id, link.projectId, link.episode, link.guest, link.takes?.map((t) => `${t.sequenceId}:${t.take}`).join(', ') ?? 'all finished', link.expiresAt.slice(0, 16).replace('T', ' '), link.state]);
      }
      console.log(table.toString());
    });
  links
    .command('create')
    .description('make a link; its address is printed once and never stored')
    .argument('<project>', 'project id')
    .argument('<episode>', 'episode id, e.g. EP001')
    .requiredOption('--guest <name>', 'who the link is for: their notes and verdicts carry this name')
    .option('--days <n>', `how long it stays open (1–${MAX_LINK_DAYS})`, '7')
    .option('--takes <list>', 'only these takes, e.g. SEQ01:2,SEQ03:1 (default: every finished take)')
    .option('--console <url>', 'the console address clients reach (with --host beyond loopback)', process.env.RECOIL_CONSOLE_URL ?? DEFAULT_CONSOLE_URL)
    .option('--by <name>', 'who makes it (default: RECOIL_USER or your user name)')
    .action(async (projectId: string, episode: string, flags: CreateFlags) => {
      const days = Number(flags.days);
      if (!Number.isInteger(days) || days < 1 || days > MAX_LINK_DAYS) throw usageError(`--days ${flags.days}: a whole number of days from 1 to ${MAX_LINK_DAYS}`);
      const guest = flags.guest.trim();
      if (!guest || guest.length > 60) throw usageError('--guest: a name of 1 to 60 characters');
      const takes = flags.takes ? parseTakeList(flags.takes) : [];
      if (!Array.isArray(takes)) throw usageError(`--takes: ${takes.refused}`);
      const { link, token } = await createLink(storeFromEnv(), { projectId, episode, guest, days, takes, createdBy: flags.by ?? defaultActor() });
      console.log(`${pc.green('✓')} link ${link.id} for ${link.guest}, open until ${link.expiresAt.slice(0, 16).replace('T', ' ')} UTC:`);
      console.log(`  ${flags.console.replace(/\/$/, '')}/review/${token}`);
      console.log(pc.dim('  send it to the client; it is shown this once. `npx recoil links revoke ' + link.id + '` withdraws it.'));
    });
  links
    .command('revoke')
    .description('withdraw a link at once')
    .argument('<id>', 'the link id `recoil links` shows (or its first characters)')
    .option('--by <name>', 'who withdraws it')
    .action(async (id: string, flags: { by?: string }) => {
      const result = await revokeLink(storeFromEnv(), id, flags.by ?? defaultActor());
      if ('refused' in result) throw usageError(result.refused);
      console.log(`${pc.yellow('■')} link ${result.link.id} for ${result.link.guest} withdrawn`);
    });
  for (const command of links.commands) command.exitOverride();
}
