// What envsync keeps of GitHub's events: approvals given on pull requests and the deliveries
// already handled, so that a restart or a redelivery changes nothing.
import type { Kysely } from 'kysely';
import { compareText, now, toApproval } from './rows.js';
import type { Database } from './schema.js';
import type { ApprovalRecord } from './store.js';

export async function recordApproval(db: Kysely<Database>, approval: Omit<ApprovalRecord, 'at'>): Promise<void> {
  await db
    .insertInto('approvals')
    .values({
      repo: approval.repo,
      pull_number: approval.pullNumber,
      sha: approval.sha,
      gate: approval.gate,
      login: approval.user,
      decision: approval.decision,
      at: now(),
    })
    .onConflict((oc) =>
      oc
        .columns(['repo', 'pull_number', 'sha', 'gate', 'login'])
        .doUpdateSet((eb) => ({ decision: eb.ref('excluded.decision'), at: eb.ref('excluded.at') }))
        // A repeated identical decision keeps its original time.
        .where('approvals.decision', '!=', approval.decision),
    )
    .execute();
}

export async function listApprovals(db: Kysely<Database>, repo: string, pullNumber: number, sha: string): Promise<ApprovalRecord[]> {
  const rows = await db
    .selectFrom('approvals')
    .selectAll()
    .where('repo', '=', repo)
    .where('pull_number', '=', pullNumber)
    .where('sha', '=', sha)
    .execute();
  return rows
    .map(toApproval)
    .sort((a, b) => compareText(a.at, b.at) || compareText(a.gate, b.gate) || compareText(a.user, b.user));
}

export async function recordDelivery(db: Kysely<Database>, id: string, event: string): Promise<boolean> {
  const inserted = await db
    .insertInto('deliveries')
    .values({ id, event, received_at: now() })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute();
  return inserted.length === 1;
}

export async function forgetDelivery(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('deliveries').where('id', '=', id).execute();
}
