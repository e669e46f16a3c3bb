import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { installRuntime } from '../../worker/runtime.js';
import { EXAMPLE_PROJECT, runDemo } from '../demo/run-demo.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(COMMAND_SUMMARIES['demo'])
    .option('--project <dir>', 'the project folder', EXAMPLE_PROJECT)
    .option('--episode <id>', 'the episode', 'EP001')
    .action(async (opts: { project: string; episode: string }) => {
      installRuntime('WARN');
      await runDemo({ projectDir: opts.project, episode: opts.episode });
    });
}
