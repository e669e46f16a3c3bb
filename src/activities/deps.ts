import type { ProviderName } from '../domain/models.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { GridProvider } from './providers/grid-provider.js';
import type { VideoProviders } from './providers/provider.js';

/** What the activities need from the worker: where artifacts are kept and which providers exist. */
export interface ActivityDeps {
  store: ArtifactStore;
  providers: VideoProviders;
  gridProviders: Partial<Record<GridProvider['name'], GridProvider>>;
  /** Jobs in flight per provider account, across every episode (RECOIL_FAL_CONCURRENCY); none means no account limit. */
  accountLimits?: Partial<Record<ProviderName, number>>;
  /** How often an account gate checks that its holders still run while someone waits (tests shorten it). */
  accountGateCheckHoldersEverySec?: number;
}
