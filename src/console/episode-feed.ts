import type { Client, Connection } from '@temporalio/client';
import { EpisodeReader, type EpisodeSnapshot } from './episode-snapshot.js';
import type { EpisodeRef } from './refs.js';

export interface FeedChange {
  version: number;
  snapshot: EpisodeSnapshot;
}

type Listener = (change: FeedChange) => void;

const POLL_MS = 1_000;

/**
 * One reader per open episode: it queries the workflows while at least one tab listens, and tells
 * every tab when something changed. Browsers never talk to Temporal.
 */
export class EpisodeFeed {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<EpisodeSnapshot> | undefined;
  private fingerprint = '';
  private latest: FeedChange | undefined;
  /** Counts targeted reads, so a full read that began before one does not undo it. */
  private decisionsSeen = 0;

  constructor(
    private readonly reader: EpisodeReader,
    /** Versions come from one counter for every feed: a feed made again after going idle never counts back below a page it served. */
    private readonly nextVersion: () => number,
    private readonly onIdle: () => void,
  ) {}

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** The newest snapshot, read now when no tab keeps this feed warm. */
  async current(): Promise<FeedChange> {
    if (this.latest && this.timer) return this.latest;
    return this.refresh();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.timer) this.timer = setInterval(() => void this.refresh().catch(() => {}), POLL_MS);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      clearInterval(this.timer);
      this.timer = undefined;
      this.onIdle();
    };
  }

  /** Reads again (joining a read already under way) and tells listeners when anything changed. */
  async refresh(): Promise<FeedChange> {
    const decisionsBefore = this.decisionsSeen;
    this.reading ??= this.reader.all(this.latest?.snapshot).finally(() => (this.reading = undefined));
    const snapshot = await this.reading;
    if (this.latest && this.decisionsSeen !== decisionsBefore) return this.latest;
    return this.publish(snapshot);
  }

  /**
   * After a decision, re-reads only the sequence (or the episode's money) it touched, so every tab
   * sees it at once even when the episode is large; the next full read confirms the rest.
   */
  async refreshAfterDecision(sequenceId?: string): Promise<FeedChange> {
    const { snapshot } = this.latest ?? (await this.refresh());
    this.decisionsSeen += 1;
    if (sequenceId === undefined) {
      const episodeStatus = await this.reader.episode();
      return this.publish({ ...snapshot, ...(episodeStatus ? { episodeStatus } : {}) });
    }
    const row = snapshot.sequences.find((r) => r.sequenceId === sequenceId);
    if (!row) return this.refresh();
    const [updated, episodeStatus] = await Promise.all([this.reader.sequence(row), this.reader.episode()]);
    const sequences = snapshot.sequences.map((r) => (r === row ? updated : r));
    return this.publish({ ...snapshot, sequences, ...(episodeStatus ? { episodeStatus } : {}) });
  }

  private publish(snapshot: EpisodeSnapshot): FeedChange {
    const fingerprint = JSON.stringify(snapshot);
    if (fingerprint !== this.fingerprint || !this.latest) {
      this.fingerprint = fingerprint;
      this.latest = { version: this.nextVersion(), snapshot };
      for (const listener of this.listeners) listener(this.latest);
    }
    return this.latest;
  }

  /** Stops polling and waits for a read under way, so nothing uses the connection after it closes. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    await this.reading?.catch(() => {});
  }
}

export class EpisodeFeeds {
  private readonly feeds = new Map<string, EpisodeFeed>();
  private versions = 0;

  constructor(
    private readonly client: Client,
    private readonly connection: Connection,
  ) {}

  feed(ref: EpisodeRef): EpisodeFeed {
    const key = `${ref.projectId}/${ref.episode}`;
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = new EpisodeFeed(new EpisodeReader(this.client, this.connection, ref), () => ++this.versions, () => this.feeds.delete(key));
      this.feeds.set(key, feed);
    }
    return feed;
  }

  /** Number of episodes with a reader running (one per episode, however many tabs). */
  get openEpisodes(): number {
    return [...this.feeds.values()].filter((f) => f.listenerCount > 0).length;
  }

  async stop(): Promise<void> {
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all(feeds.map((feed) => feed.stop()));
  }
}
