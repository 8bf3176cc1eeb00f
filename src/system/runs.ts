// Runs of environments: what a deploy or destroy did, its status and timings. Written by the app
// and the runner, possibly from several replicas, so conflicts are settled by the database.
import { sql, type Kysely } from 'kysely';
import { now, optionalJson, toRun, toTracking } from './rows.js';
import type { Database } from './schema.js';
import { UNFINISHED, type NewRun, type NewTracking, type RunFilter, type RunPatch, type RunRecord, type RunStatus, type RunTracking, type TrackingPatch } from './records.js';

export async function createRun(db: Kysely<Database>, run: NewRun, tracking?: NewTracking, addJob?: (trx: Kysely<Database>) => Promise<void>): Promise<RunRecord> {
  return db.transaction().execute(async (trx) => {
    const created = await insertRun(trx, run);
    if (tracking) {
      await trx.insertInto('run_tracking').values({ run_id: run.id, repo: tracking.repo, dispatch: JSON.stringify(tracking.dispatch), deployment_id: null, dispatch_requested_at: null, dispatched_at: null, workflow_run_id: null, secrets_handed_at: null }).execute();
    }
    await addJob?.(trx);
    return created;
  });
}


async function insertRun(db: Kysely<Database>, run: NewRun): Promise<RunRecord> {
  const row = await db
    .insertInto('runs')
    .values({
      id: run.id,
      project: run.project,
      environment: run.environment,
      action: run.action,
      revision: run.revision,
      status: run.status,
      trigger: run.trigger ?? 'webhook',
      actor: run.actor ?? null,
      superseded_by: null,
      reason: null,
      activities: optionalJson(run.activities, `activities of run ${run.id}`),
      outputs: optionalJson(run.outputs, `outputs of run ${run.id}`),
      created_at: now(),
      started_at: null,
      finished_at: null,
    })
    // The conflict, not a prior read, decides: two replicas creating the same run cannot both succeed.
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw new Error(`run "${run.id}" already exists`);
  return toRun(row);
}

export async function updateRun(db: Kysely<Database>, id: string, patch: RunPatch): Promise<RunRecord> {
  const set = {
    ...(patch.status !== undefined && { status: patch.status }),
    ...(patch.activities !== undefined && { activities: optionalJson(patch.activities, `activities of run ${id}`) }),
    ...(patch.outputs !== undefined && { outputs: optionalJson(patch.outputs, `outputs of run ${id}`) }),
    ...(patch.startedAt !== undefined && { started_at: patch.startedAt }),
    ...(patch.finishedAt !== undefined && { finished_at: patch.finishedAt }),
    ...(patch.reason !== undefined && { reason: patch.reason }),
    ...(patch.supersededBy !== undefined && { superseded_by: patch.supersededBy }),
  };
  const row =
    Object.keys(set).length === 0
      ? await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst()
      : await db.updateTable('runs').set(set).where('id', '=', id).returningAll().executeTakeFirst();
  if (row === undefined) throw new Error(`cannot update run "${id}": no run has that id`);
  return toRun(row);
}

export async function getRun(db: Kysely<Database>, id: string): Promise<RunRecord | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRun(row);
}

export async function listRuns(db: Kysely<Database>, filter: RunFilter = {}): Promise<RunRecord[]> {
  let query = db.selectFrom('runs').selectAll().orderBy('seq', 'desc');
  if (filter.project !== undefined) query = query.where('project', '=', filter.project);
  if (filter.environment !== undefined) query = query.where('environment', '=', filter.environment);
  if (filter.revision !== undefined) query = query.where('revision', '=', filter.revision);
  if (filter.projects !== undefined) {
    if (filter.projects.length === 0) return [];
    query = query.where('project', 'in', filter.projects);
  }
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return (await query.execute()).map(toRun);
}

export async function getTracking(db: Kysely<Database>, runId: string): Promise<RunTracking | undefined> {
  const row = await db.selectFrom('run_tracking').selectAll().where('run_id', '=', runId).executeTakeFirst();
  return row && toTracking(row);
}

export async function claimRunSecrets(db: Kysely<Database>, runId: string, at: string): Promise<boolean> {
  const result = await db.updateTable('run_tracking').set({ secrets_handed_at: at }).where('run_id', '=', runId).where('secrets_handed_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function updateTracking(db: Kysely<Database>, runId: string, patch: TrackingPatch): Promise<RunTracking> {
  const set = {
    ...(patch.deploymentId !== undefined && { deployment_id: patch.deploymentId }),
    ...(patch.dispatchRequestedAt !== undefined && { dispatch_requested_at: patch.dispatchRequestedAt }),
    ...(patch.dispatchedAt !== undefined && { dispatched_at: patch.dispatchedAt }),
    ...(patch.workflowRunId !== undefined && { workflow_run_id: patch.workflowRunId }),
  };
  const row =
    Object.keys(set).length === 0
      ? await db.selectFrom('run_tracking').selectAll().where('run_id', '=', runId).executeTakeFirst()
      : await db.updateTable('run_tracking').set(set).where('run_id', '=', runId).returningAll().executeTakeFirst();
  if (row === undefined) throw new Error(`cannot update the tracking of run "${runId}": it has none`);
  return toTracking(row);
}

export async function listRevisionRuns(db: Kysely<Database>, revision: string): Promise<{ run: RunRecord; tracking: RunTracking }[]> {
  const rows = await db.selectFrom('runs').innerJoin('run_tracking', 'run_tracking.run_id', 'runs.id').selectAll().where('runs.revision', '=', revision).orderBy('runs.seq').execute();
  return rows.map((row) => ({ run: toRun(row), tracking: toTracking(row) }));
}

export async function listUnfinishedRuns(db: Kysely<Database>, repo: string): Promise<{ run: RunRecord; tracking: RunTracking }[]> {
  const rows = await db
    .selectFrom('runs')
    .innerJoin('run_tracking', 'run_tracking.run_id', 'runs.id')
    .selectAll()
    // GitHub's names are not case-sensitive: a merge's runs carry the event's spelling, a manual run's the operator's.
    .where(sql<boolean>`lower(${sql.ref('run_tracking.repo')}) = ${repo.toLowerCase()}`)
    .where('runs.status', 'in', UNFINISHED)
    .orderBy('runs.seq')
    .execute();
  return rows.map((row) => ({ run: toRun(row), tracking: toTracking(row) }));
}

/** Tracking of runs finished before `before`, and deliveries received before it. */
export async function prune(db: Kysely<Database>, before: string): Promise<{ trackings: number; deliveries: number }> {
  return db.transaction().execute(async (trx) => {
    const finished = trx.selectFrom('runs').select('id').where('status', 'not in', UNFINISHED).where('finished_at', '<', before);
    const trackings = await trx.deleteFrom('run_tracking').where('run_id', 'in', finished).executeTakeFirst();
    const deliveries = await trx.deleteFrom('deliveries').where('received_at', '<', before).executeTakeFirst();
    return { trackings: Number(trackings.numDeletedRows), deliveries: Number(deliveries.numDeletedRows) };
  });
}

export async function countRuns(db: Kysely<Database>): Promise<Partial<Record<RunStatus, number>>> {
  const rows = await db.selectFrom('runs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
