// What envsync keeps of GitHub's events: approvals given on pull requests and the deliveries
// already handled, so that a restart or a redelivery changes nothing.
import type { Kysely } from 'kysely';
import { compareText, now, toApproval } from './rows.js';
import type { Database } from './schema.js';
import type { JobQueue, NewJob } from './jobs/queue.js';
import { deliveryKey, type ApprovalRecord, type DeliveryOutcome, type PushRecord } from './records.js';

export async function recordApproval(db: Kysely<Database>, approval: Omit<ApprovalRecord, 'at'> & { at?: string }): Promise<void> {
  await db
    .insertInto('approvals')
    .values({
      repo: approval.repo,
      pull_number: approval.pullNumber,
      sha: approval.sha,
      gate: approval.gate,
      login: approval.user,
      decision: approval.decision,
      at: approval.at ?? now(),
    })
    .onConflict((oc) =>
      oc
        .columns(['repo', 'pull_number', 'sha', 'gate', 'login'])
        .doUpdateSet((eb) => ({ decision: eb.ref('excluded.decision'), at: eb.ref('excluded.at') }))
        // A repeated identical decision keeps its original time; an older decision (a command whose
        // job ran late, after a retry) does not replace a newer one.
        .where('approvals.decision', '!=', approval.decision)
        .whereRef('approvals.at', '<', 'excluded.at'),
    )
    .execute();
}

export async function listApprovals(db: Kysely<Database>, repo: string, pullNumber: number, sha?: string): Promise<ApprovalRecord[]> {
  let query = db.selectFrom('approvals').selectAll().where('repo', '=', repo).where('pull_number', '=', pullNumber);
  if (sha !== undefined) query = query.where('sha', '=', sha);
  const rows = await query.execute();
  return rows
    .map(toApproval)
    .sort((a, b) => compareText(a.at, b.at) || compareText(a.gate, b.gate) || compareText(a.user, b.user));
}

/** The delivery recorded and its job added in one commit; see Store.acceptDelivery. */
export async function acceptDelivery(db: Kysely<Database>, jobs: JobQueue, delivery: { id: string; event: string }, job: NewJob): Promise<DeliveryOutcome> {
  const key = deliveryKey(delivery.id);
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('deliveries')
      .values({ id: delivery.id, event: delivery.event, received_at: now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    if (inserted.length === 1) {
      await jobs.add({ ...job, key }, trx);
      return 'queued';
    }
    // Seen before: GitHub's redelivery of a delivery whose job failed for good runs it again.
    return (await jobs.requeueFailed(key, trx)) ? 'requeued' : 'duplicate';
  });
}

export async function recordPush(db: Kysely<Database>, push: Omit<PushRecord, 'at'>): Promise<void> {
  await db.insertInto('pushes').values({ ...push, at: now() }).execute();
}

export async function listPushes(db: Kysely<Database>, repo: string, limit = 100): Promise<PushRecord[]> {
  const rows = await db.selectFrom('pushes').selectAll().where('repo', '=', repo).orderBy('seq', 'desc').limit(limit).execute();
  return rows.map(({ repo, sha, outcome, detail, at }) => ({ repo, sha, outcome, detail, at }));
}
