import type { Command } from 'commander';
import pc from 'picocolors';
import { ensureTemporalCli } from '../../temporal/cli-binary.js';

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('find or build the Temporal CLI (dev server + Web UI); the first build takes minutes')
    .action(async () => {
      const path = await ensureTemporalCli({ onProgress: (line) => console.log(pc.dim(`  ${line}`)) });
      console.log(`${pc.green('✓')} Temporal CLI: ${path}`);
    });
}
