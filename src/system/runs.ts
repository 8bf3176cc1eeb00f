// Runs of environments: what a deploy or destroy did, its status and timings. Written by the app
// and the runner, possibly from several replicas, so conflicts are settled by the database.
import type { Kysely } from 'kysely';
import { now, optionalJson, toRun } from './rows.js';
import type { Database } from './schema.js';
import type { NewRun, RunFilter, RunPatch, RunRecord } from './store.js';

export async function createRun(db: Kysely<Database>, run: NewRun): Promise<RunRecord> {
  const row = await db
    .insertInto('runs')
    .values({
      id: run.id,
      project: run.project,
      environment: run.environment,
      action: run.action,
      revision: run.revision,
      status: run.status,
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
  return (await query.execute()).map(toRun);
}
