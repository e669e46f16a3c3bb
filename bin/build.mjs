// `npm run build`: compiles the app and bundles the workflows, so neither happens at a worker's start.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledApp } from './compiled-app.mjs';

const app = compiledApp();
console.log(`app compiled in ${app}`);
await import(pathToFileURL(join(app, 'worker', 'build.js')).href);
