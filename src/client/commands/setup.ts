import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import pc from 'picocolors';
import { ensureTemporalCli } from '../../temporal/cli-binary.js';

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description(COMMAND_SUMMARIES['setup'])
    .action(async () => {
      const path = await ensureTemporalCli({ onProgress: (line) => console.log(pc.dim(`  ${line}`)) });
      console.log(`${pc.green('✓')} Temporal CLI: ${path}`);
    });
}
