import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { CliError } from '../domain/cli-error.js';
import { COMMAND_SUMMARIES, type CommandName } from './command-summaries.js';

type Register = (program: Command) => void;

/** Each command's module, loaded only when that command runs: a call pays for what it uses and no more. */
const COMMANDS: Record<CommandName, () => Promise<Register>> = {
  validate: async () => (await import('./commands/validate.js')).registerValidate,
  estimate: async () => (await import('./commands/estimate.js')).registerEstimate,
  run: async () => (await import('./commands/run.js')).registerRun,
  status: async () => (await import('./commands/status.js')).registerStatus,
  approve: async () => (await import('./commands/approve.js')).registerApprove,
  retake: async () => (await import('./commands/retake.js')).registerRetake,
  note: async () => (await import('./commands/note.js')).registerNote,
  settle: async () => (await import('./commands/settle.js')).registerSettle,
  frame: async () => (await import('./commands/frame.js')).registerFrame,
  budget: async () => (await import('./commands/budget.js')).registerBudget,
  reconcile: async () => (await import('./commands/reconcile.js')).registerReconcile,
  deliver: async () => (await import('./commands/deliver.js')).registerDeliver,
  cancel: async () => (await import('./commands/cancel.js')).registerCancel,
  console: async () => (await import('./commands/console.js')).registerConsole,
  links: async () => (await import('./commands/links.js')).registerLinks,
  'codec-server': async () => (await import('./commands/codec-server.js')).registerCodecServer,
  worker: async () => (await import('./commands/worker.js')).registerWorker,
  deploy: async () => (await import('./commands/deploy.js')).registerDeploy,
  dev: async () => (await import('./commands/dev.js')).registerDev,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  setup: async () => (await import('./commands/setup.js')).registerSetup,
};

const program = new Command('recoil')
  .description('Recoil Pipeline: durable production of AI-made client video on Temporal')
  .showHelpAfterError('(run `npx recoil --help` for usage)')
  .exitOverride();

try {
  await declareCommands(program, process.argv.slice(2));
  for (const command of program.commands) command.exitOverride();
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

/**
 * The command asked for is declared in full; without one (`--help`, a typo) every command is declared
 * by its name and summary only, which is all the overview and commander's suggestions need.
 */
async function declareCommands(program: Command, args: string[]): Promise<void> {
  const asked = commandAskedFor(args);
  if (asked) {
    (await COMMANDS[asked]())(program);
    return;
  }
  for (const [name, summary] of Object.entries(COMMAND_SUMMARIES)) program.command(name).description(summary);
}

/** `recoil status …` and `recoil help status` ask for `status`. */
function commandAskedFor(args: string[]): CommandName | undefined {
  const [first, second] = args;
  const name = first === 'help' ? second : first;
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? (name as CommandName) : undefined;
}

/** 0 done, 1 failed at run time, 2 bad input or usage. */
function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof CliError) {
    console.error(`${pc.red('error:')} ${err.message}`);
    return err.exitCode;
  }
  console.error(`${pc.red('error:')} ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
}
