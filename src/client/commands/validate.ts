import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import pc from 'picocolors';
import { firstPassCostUsd } from '../../domain/sequence-unit.js';
import { loadProjectOrExit } from '../load-or-exit.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(COMMAND_SUMMARIES['validate'])
    .argument('<project-dir>', 'the client project folder')
    .option('--episode <id>', 'check only this episode')
    .action(async (projectDir: string, opts: { episode?: string }) => {
      const loaded = await loadProjectOrExit(projectDir, opts.episode);
      const { project, bible } = loaded;
      console.log(`${pc.green('✓')} ${project.id} (${project.name}): valid — ${bible.elements.length} elements, aspect ${project.aspect_ratio}`);
      for (const { file, plan, units } of loaded.episodes) {
        const seconds = units.reduce((sum, u) => sum + u.totalDurationSec, 0);
        const cost = firstPassCostUsd(units);
        console.log(`  ${plan.episode} (${file}): ${units.length} sequences, ${seconds} s, first takes ≈ $${cost.toFixed(2)} on ${project.default_model}`);
      }
    });
}
