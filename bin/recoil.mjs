#!/usr/bin/env node
// The published entry point: runs the TypeScript CLI through tsx, so `npx recoil` works after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/client/main.ts');
