import type { GridProvider } from './providers/grid-provider.js';
import type { VideoProviders } from './providers/provider.js';

/** What the activities need from the worker: where artifacts go and which providers exist. */
export interface ActivityDeps {
  artifactsRoot: string;
  providers: VideoProviders;
  gridProviders: Partial<Record<GridProvider['name'], GridProvider>>;
}
