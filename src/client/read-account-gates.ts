import type { Client, Connection } from '@temporalio/client';
import { accountGateQuery } from '../contract/account-gate.js';
import type { AccountSlotsState } from '../domain/account-slots.js';
import { accountGateWorkflowId } from '../domain/ids.js';
import type { ProviderName } from '../domain/models.js';

/** The providers whose accounts limit jobs in flight across episodes. */
const GATED_PROVIDERS: ProviderName[] = ['fal'];

export interface AccountLine extends AccountSlotsState {
  account: ProviderName;
}

/** Who holds and who waits for each provider account served by this task queue; accounts nobody uses are left out. */
export async function readAccountGates(client: Client, connection: Connection, taskQueue: string): Promise<AccountLine[]> {
  const lines = await Promise.all(
    GATED_PROVIDERS.map(async (account) => {
      try {
        const handle = client.workflow.getHandle(accountGateWorkflowId(account, taskQueue));
        const state = await connection.withDeadline(Date.now() + 3_000, () => handle.query(accountGateQuery));
        return state.holding.length + state.waiting.length > 0 ? { account, ...state } : undefined;
      } catch {
        // No gate running (nobody has asked lately), or no worker to answer: nothing to show.
        return undefined;
      }
    }),
  );
  return lines.filter((line): line is AccountLine => line !== undefined);
}

export function renderAccountGate(line: AccountLine): string {
  const holding = line.holding.map((c) => `  running  ${c.label}`);
  const waiting = line.waiting.map((c, i) => `  waiting  ${i + 1}. ${c.label} (asked ${c.askedAt.slice(11, 19)} UTC)`);
  return [`${line.account} account: ${line.holding.length} of ${line.capacity} jobs in flight, ${line.waiting.length} waiting (every episode)`, ...holding, ...waiting].join('\n');
}
