import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { findOnPath } from '../src/temporal/go-build.js';
import { CHROMIUM } from './helpers/browser.js';

const run = promisify(execFile);
const INSTALL = 'apt-get install -y chromium';

/**
 * The console's browser tests drive Debian's Chromium. Like the Temporal CLI, the test set-up gets it
 * when it is missing: Debian's package when this user can install packages, otherwise the exact
 * command to run (the browser tests then fail with it; the rest of the suite runs).
 */
export async function ensureChromium(report: (line: string) => void): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CHROMIUM_PATH) return report(`CHROMIUM_PATH=${CHROMIUM} does not exist: the browser tests will fail until it does`);
  const aptGet = await findOnPath('apt-get');
  if (!aptGet || process.getuid?.() !== 0) return report(`Chromium is missing: run \`sudo apt-get update && sudo ${INSTALL}\` (or set CHROMIUM_PATH) for the browser tests`);
  report(`installing Debian's chromium package for the browser tests (${INSTALL}), once`);
  // Another run installing at the same moment holds dpkg's lock: wait for it rather than fail.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
  await run(aptGet, ['update', '-qq', ...lockWait], { env, timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
  await run(aptGet, ['install', '-y', '-qq', ...lockWait, 'chromium'], { env, timeout: 1_800_000, maxBuffer: 64 * 1024 * 1024 });
  if (!existsSync(CHROMIUM)) report(`apt-get installed chromium, but not at ${CHROMIUM}: set CHROMIUM_PATH`);
}
