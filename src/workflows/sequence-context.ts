import type { SequenceRef } from '../activities/takes/take-folders.js';
import type { EpisodeLink } from './episode-link.js';
import type { SequenceActivities } from './sequence-activities.js';
import type { SequenceInput } from './sequence-messages.js';
import type { SequenceRun } from './sequence-run.js';

/** What the stages of a sequence workflow share. */
export interface SequenceContext {
  input: SequenceInput;
  ref: SequenceRef;
  run: SequenceRun;
  link: EpisodeLink;
  activities: SequenceActivities;
  /** Publishes the current state: search attributes, Web UI details, the episode. */
  report(): Promise<void>;
  /** Paid work must go through the episode's budget; free work may go ahead alone. */
  paid: boolean;
}
