import { CancellationScope, condition, patched, upsertMemo } from '@temporalio/workflow';

/**
 * A summary a workflow keeps in its memo, so a board reads it from the server's listing or a
 * describe, never waiting on a worker: a query queues behind the workflow's tasks, and a busy
 * episode always has one. Only a change is written, so the history grows with the story, not with
 * every signal.
 */
export class MemoCard<T> {
  private shown: string | undefined;
  private readonly enabled: boolean;

  /** `patchId` keeps runs recorded before the card replaying as they ran: they never wrote it. */
  constructor(
    private readonly key: string,
    private readonly cardNow: () => T,
    patchId: string,
  ) {
    this.enabled = patched(patchId);
  }

  /** Writes the card now if it differs from the one in the memo: before the workflow returns, say. */
  publish(): void {
    if (!this.enabled) return;
    const card = this.cardNow();
    const json = JSON.stringify(card);
    if (json === this.shown) return;
    upsertMemo({ [this.key]: card });
    this.shown = json;
  }

  /**
   * Publishes at every change for as long as the workflow runs, cancelled or not: a cancelled
   * episode still winds down, and its card should say so.
   */
  follow(): void {
    void CancellationScope.nonCancellable(async () => {
      while (this.enabled) {
        this.publish();
        await condition(() => JSON.stringify(this.cardNow()) !== this.shown);
      }
    });
  }
}
