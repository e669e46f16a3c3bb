import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { CliError } from './cli-error.js';
import { registerApprove } from './commands/approve.js';
import { registerBudget } from './commands/budget.js';
import { registerCancel } from './commands/cancel.js';
import { registerCodecServer } from './commands/codec-server.js';
import { registerConsole } from './commands/console.js';
import { registerDeliver } from './commands/deliver.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDemo } from './commands/demo.js';
import { registerDev } from './commands/dev.js';
import { registerEstimate } from './commands/estimate.js';
import { registerFrame } from './commands/frame.js';
import { registerLinks } from './commands/links.js';
import { registerNote } from './commands/note.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerRetake } from './commands/retake.js';
import { registerRun } from './commands/run.js';
import { registerSettle } from './commands/settle.js';
import { registerSetup } from './commands/setup.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validate.js';
import { registerWorker } from './commands/worker.js';

const program = new Command('recoil')
  .description('Recoil Pipeline: durable production of AI-made client video on Temporal')
  .showHelpAfterError('(run `npx recoil --help` for usage)')
  .exitOverride();

for (const register of [registerValidate, registerEstimate, registerRun, registerStatus, registerApprove, registerRetake, registerNote, registerSettle, registerFrame, registerBudget, registerReconcile, registerDeliver, registerCancel, registerConsole, registerLinks, registerCodecServer, registerWorker, registerDeploy, registerDev, registerDemo, registerSetup]) {
  register(program);
}
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
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
