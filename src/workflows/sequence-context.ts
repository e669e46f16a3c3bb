import type { SequenceRef } from '../contract/activities.js';
import type { SequenceInput } from '../contract/sequence.js';
import type { AccountSlot } from './account-slot.js';
import type { TakeJsonWrites } from './best-effort.js';
import type { EpisodeLink } from './episode-link.js';
import type { SequenceActivities } from './sequence-activities.js';
import type { SequenceRun } from './sequence-run.js';

/** What the stages of a sequence workflow share. */
export interface SequenceContext {
  readonly input: SequenceInput;
  readonly ref: SequenceRef;
  readonly run: SequenceRun;
  readonly link: EpisodeLink;
  /** The provider account's slots, shared with every other episode on the task queue. */
  readonly account: AccountSlot;
  readonly activities: SequenceActivities;
  /** Decisions and notes written into take.json, one at a time. */
  readonly takeJson: TakeJsonWrites;
  /** Publishes the current state: search attributes, Web UI details, the episode. */
  report(): Promise<void>;
  /** Paid work must go through the episode's budget; free work may go ahead alone. */
  readonly paid: boolean;
}
