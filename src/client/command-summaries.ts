// What each command is for, in one line: `recoil --help` lists these without loading any command's code.
export const COMMAND_SUMMARIES = {
  'validate': 'check a project folder (config, bible, plans, images) and list every problem at once',
  'estimate': 'forecast the cost of an episode per sequence, before anything is spent',
  'run': 'start the episode workflow (or find the one already running)',
  'status': 'the board: every sequence of a project, its takes, spend and what it waits for',
  'approve': 'approve a take of a sequence',
  'retake': 'ask for a new take, optionally with new prompts for some shots',
  'note': 'pin a note to a frame (or a range) of a finished take, as the console does; it reaches the editor as a marker',
  'settle': 'decide what a take whose submission was cut off was: adopt fal\'s request id, submit it again, or give it up',
  'frame': "pick a start frame from a 2x2 grid (quadrants 1–4: left to right, top to bottom) or the previous sequence's approved last frame, or ask for new options",
  'budget': 'an episode\'s money: spent (billed by fal / estimated), reserved, left and unclaimed charges; --set changes the budget',
  'reconcile': "read fal's billing records now: each take's billed cost, calls that were or were not charged, charges no take claims, price differences",
  'deliver': 'deliver the approved takes as a new version: cut, OTIO, EDL, contact sheet and manifest; an episode whose delivery is blocked is asked to deliver again',
  'cancel': 'give up on a sequence (its takes stay on disk; a running paid job is cancelled), or on a whole episode',
  'console': 'open the Production Console: Board, Dailies, start frames, compare, history and delivery in the browser',
  'links': 'client review links: one episode (or chosen takes) for a client to watch, note and approve, expiring and revocable',
  'codec-server': "serve Temporal's codec endpoint, so the Web UI shows payloads encrypted with RECOIL_CODEC_KEYS in clear to those who reach it",
  'worker': 'run a worker against TEMPORAL_ADDRESS (default: the local dev server)',
  'deploy': 'roll workers out and back: which builds run which workflows, which build takes new work (RECOIL_DEPLOYMENT, default recoil)',
  'dev': 'start the local Temporal dev server (persistent, with Web UI), a worker and the console',
  'demo': 'run the whole pipeline offline on the bundled example, end to end',
  'setup': 'find or build the Temporal CLI (dev server + Web UI); the first build takes minutes',
} as const;

export type CommandName = keyof typeof COMMAND_SUMMARIES;
