// The Store over Kysely. Every statement here is written once and compiled for whichever backend
// the Kysely instance drives; nothing below knows whether it talks to SQLite or PostgreSQL.
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { JobQueue, NewJob } from './jobs/queue.js';
import { changedFields, diffRevision, pickKey } from './diff.js';
import type { Current } from './diff.js';
import * as github from './github-records.js';
import * as repositories from './config-repositories.js';
import { APPLIED_REVISION_KEY, WRITE_LOCK_KEY } from './migrations.js';
import { compareKeys, describeKey, now, toColumns, toEvent, toJson, toKey, toResource } from './rows.js';
import type { KeyColumns } from './rows.js';
import * as runs from './runs.js';
import type { Database, SyncEventsTable } from './schema.js';
import type {
  ApplyResult,
  ApplyRevisionInput,
  ApprovalRecord,
  ConfigRepository,
  ConfigRepositoryPatch,
  DeliveryOutcome,
  Expected,
  NewRun,
  NewTracking,
  PushRecord,
  PutOutcome,
  RunStatus,
  RunTracking,
  TrackingPatch,
  ResourceFilter,
  ResourceInput,
  ResourceKey,
  RunPatch,
  RunFilter,
  RunRecord,
  Store,
  StoredResource,
  SyncEvent,
  SystemChange,
} from './records.js';
import { StaleWrite } from './records.js';

type Trx = Transaction<Database>;
type EventRow = Omit<SyncEventsTable, 'id'>;

// Rows per multi-row statement: keeps the bound parameters far below SQLite's and PostgreSQL's limits.
const CHUNK = 100;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export class KyselyStore implements Store {
  #closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    readonly jobs: JobQueue,
  ) {}

  async listResources(filter: ResourceFilter = {}): Promise<StoredResource[]> {
    let query = this.db.selectFrom('resources').selectAll();
    if (filter.project !== undefined) query = query.where('project', '=', filter.project);
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.origin !== undefined) query = query.where('origin', '=', filter.origin);
    const rows = await query.execute();
    return rows.sort(compareKeys).map(toResource);
  }

  async listProjects(): Promise<string[]> {
    const rows = await this.db.selectFrom('resources').select('project').distinct().execute();
    // Code-unit order, the same on both backends (as listResources sorts).
    return rows.map((r) => r.project).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async getResource(key: ResourceKey): Promise<StoredResource | undefined> {
    const row = await this.db.selectFrom('resources').selectAll().where(matches(toColumns(key))).executeTakeFirst();
    return row && toResource(row);
  }

  async applyRevision(input: ApplyRevisionInput): Promise<ApplyResult> {
    if (typeof input.revision !== 'string' || input.revision === '') {
      throw new Error('applyRevision needs the revision (a commit SHA) the resources come from');
    }
    return this.write(async (trx, generation) => {
      const owns = input.owns;
      const current: Current[] = (await trx.selectFrom('resources').select(['kind', 'project', 'name', 'version', 'spec', 'revision', 'origin']).execute()).filter(
        (row) => !owns || owns(toKey(row)),
      );
      const diff = diffRevision(current, input.resources, input.revision);
      const at = now();

      for (const part of chunks(diff.deletes)) {
        await trx
          .deleteFrom('resources')
          .where((eb) => eb.or(part.map((key) => eb.and(key))))
          .execute();
      }
      for (const want of diff.updates) {
        await trx
          .updateTable('resources')
          .set({ spec: want.spec, revision: input.revision, origin: 'git', updated_at: at, generation })
          .where(matches(want))
          .execute();
      }
      for (const part of chunks(diff.creates)) {
        await trx
          .insertInto('resources')
          .values(part.map((want) => ({ ...want, revision: input.revision, origin: 'git' as const, updated_at: at, generation })))
          .execute();
      }
      // Unchanged specs now come from this revision too (a merged bot PR turns a system change
      // into a Git one), but that is no change of content: no event, no new updatedAt or generation.
      // Only those the revision speaks for: another repository's specs keep their own revision.
      for (const part of chunks(diff.restamps)) {
        await trx
          .updateTable('resources')
          .set({ revision: input.revision, origin: 'git' })
          .where((eb) => eb.or(part.map((key) => eb.and(key))))
          .execute();
      }
      await insertEvents(
        trx,
        diff.changes.map(({ operation, key, fields }) => ({
          ...key,
          at,
          trigger: input.trigger,
          actor: input.actor,
          operation,
          revision: input.revision,
          fields,
        })),
      );
      await trx
        .insertInto('meta')
        .values({ key: APPLIED_REVISION_KEY, value: input.revision })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: input.revision }))
        .execute();
      if (input.repo !== undefined) await repositories.setAppliedRevision(trx, input.repo, input.revision, input.projects, input.runner);

      const keys = (operation: string) =>
        diff.changes.filter((change) => change.operation === operation).map((change) => toKey(change.key));
      return { created: keys('create'), updated: keys('update'), deleted: keys('delete') };
    });
  }

  followRepository(repo: string): Promise<boolean> {
    return repositories.followRepository(this.db, repo);
  }

  unfollowRepository(repo: string): Promise<boolean> {
    return repositories.unfollowRepository(this.db, repo);
  }

  listRepositories(): Promise<ConfigRepository[]> {
    return repositories.listRepositories(this.db);
  }

  getRepository(repo: string): Promise<ConfigRepository | undefined> {
    return repositories.getRepository(this.db, repo);
  }

  updateRepository(repo: string, patch: ConfigRepositoryPatch): Promise<void> {
    return repositories.updateRepository(this.db, repo, patch);
  }

  async writeCount(): Promise<number> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', WRITE_LOCK_KEY).executeTakeFirst();
    return Number(row?.value ?? 0);
  }

  async getAppliedRevision(repo?: string): Promise<string | undefined> {
    if (repo !== undefined) return (await repositories.getRepository(this.db, repo))?.appliedRevision ?? undefined;
    const row = await this.db
      .selectFrom('meta')
      .select('value')
      .where('key', '=', APPLIED_REVISION_KEY)
      .executeTakeFirst();
    return row?.value;
  }

  async putResource(resource: ResourceInput, event: SystemChange, expected?: Expected): Promise<PutOutcome> {
    const key = toColumns(resource);
    const spec = toJson(resource.spec, `spec of ${describeKey(key)}`);
    return this.write(async (trx, generation) => {
      const row = await trx.selectFrom('resources').select(['spec', 'generation']).where(matches(key)).executeTakeFirst();
      checkExpected(resource, row, expected);
      if (row?.spec === spec) return { outcome: 'unchanged' as const, generation: row.generation };
      const at = now();
      if (row === undefined) {
        await trx
          .insertInto('resources')
          .values({ ...key, spec, revision: null, origin: 'system', updated_at: at, generation })
          .execute();
      } else {
        await trx
          .updateTable('resources')
          .set({ spec, revision: null, origin: 'system', updated_at: at, generation })
          .where(matches(key))
          .execute();
      }
      const operation = row === undefined ? 'create' : 'update';
      await insertEvents(trx, [{ ...key, at, ...event, operation, revision: null, fields: row === undefined ? null : changedFields(row.spec, spec) }]);
      return { outcome: operation === 'create' ? ('created' as const) : ('updated' as const), generation };
    });
  }

  async deleteResource(key: ResourceKey, event: SystemChange, expected?: Expected): Promise<boolean> {
    const columns = toColumns(key);
    return this.write(async (trx) => {
      if (expected) checkExpected(key, await trx.selectFrom('resources').select('generation').where(matches(columns)).executeTakeFirst(), expected);
      const result = await trx.deleteFrom('resources').where(matches(columns)).executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await insertEvents(trx, [{ ...columns, at: now(), ...event, operation: 'delete', revision: null, fields: null }]);
      return true;
    });
  }

  async lastSyncEvents(keys: readonly ResourceKey[]): Promise<SyncEvent[]> {
    const last = new Map<string, SyncEvent>();
    for (const part of chunks([...keys])) {
      // Each spec's events through the sync_events_spec index, newest first: the first of each is its last.
      const rows = await this.db
        .selectFrom('sync_events')
        .selectAll()
        .where((eb) => eb.or(part.map((k) => eb.and({ project: k.project, kind: k.kind, name: k.name, version: k.version ?? '' }))))
        .orderBy('id', 'desc')
        .execute();
      for (const row of rows) {
        const key = `${row.kind}/${row.project}/${row.name}@${row.version}`;
        if (!last.has(key)) last.set(key, toEvent(row));
      }
    }
    return [...last.values()].sort((a, b) => a.id - b.id);
  }

  async listSyncEvents(filter: { project?: string; projects?: readonly string[]; since?: number; limit?: number; newest?: boolean } = {}): Promise<SyncEvent[]> {
    let query = this.db.selectFrom('sync_events').selectAll().orderBy('id', filter.newest ? 'desc' : 'asc');
    if (filter.project !== undefined) query = query.where('project', '=', filter.project);
    if (filter.projects !== undefined) {
      if (filter.projects.length === 0) return [];
      query = query.where('project', 'in', filter.projects);
    }
    if (filter.since !== undefined) query = query.where('id', '>', filter.since);
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(toEvent);
  }

  createRun(run: NewRun, tracking?: NewTracking, job?: NewJob): Promise<RunRecord> {
    return runs.createRun(this.db, run, tracking, job && ((trx) => this.jobs.add(job, trx)));
  }

  countRuns(): Promise<Partial<Record<RunStatus, number>>> {
    return runs.countRuns(this.db);
  }

  listRevisionRuns(revision: string): Promise<{ run: RunRecord; tracking: RunTracking }[]> {
    return runs.listRevisionRuns(this.db, revision);
  }

  claimRunSecrets(runId: string, at: string): Promise<boolean> {
    return runs.claimRunSecrets(this.db, runId, at);
  }

  getTracking(runId: string): Promise<RunTracking | undefined> {
    return runs.getTracking(this.db, runId);
  }

  updateTracking(runId: string, patch: TrackingPatch): Promise<RunTracking> {
    return runs.updateTracking(this.db, runId, patch);
  }

  listUnfinishedRuns(repo: string): Promise<{ run: RunRecord; tracking: RunTracking }[]> {
    return runs.listUnfinishedRuns(this.db, repo);
  }

  prune(before: string): Promise<{ trackings: number; deliveries: number }> {
    return runs.prune(this.db, before);
  }

  updateRun(id: string, patch: RunPatch): Promise<RunRecord> {
    return runs.updateRun(this.db, id, patch);
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return runs.getRun(this.db, id);
  }

  listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    return runs.listRuns(this.db, filter);
  }

  recordApproval(approval: Omit<ApprovalRecord, 'at'> & { at?: string }): Promise<void> {
    return github.recordApproval(this.db, approval);
  }

  listApprovals(repo: string, pullNumber: number, sha?: string): Promise<ApprovalRecord[]> {
    return github.listApprovals(this.db, repo, pullNumber, sha);
  }

  acceptDelivery(delivery: { id: string; event: string }, job: NewJob): Promise<DeliveryOutcome> {
    return github.acceptDelivery(this.db, this.jobs, delivery, job);
  }

  recordPush(push: Omit<PushRecord, 'at'>): Promise<void> {
    return github.recordPush(this.db, push);
  }

  listPushes(repo: string, limit?: number): Promise<PushRecord[]> {
    return github.listPushes(this.db, repo, limit);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }

  /**
   * A transaction that first updates the write-lock row. The row lock it takes is held until
   * commit, so resource writers on PostgreSQL queue behind each other (and, under READ COMMITTED,
   * each then reads what the previous one committed); on SQLite the first write takes the database
   * write lock, which also holds off another process sharing the file. READ COMMITTED is spelled
   * out because under a stricter server default the waiting writer would fail instead of reading
   * the newer rows (SQLite ignores the setting and is serializable anyway).
   * The update counts the write: `work` gets the count, the generation of whatever it changes.
   */
  private write<T>(work: (trx: Trx, generation: number) => Promise<T>): Promise<T> {
    return this.db.transaction().setIsolationLevel('read committed').execute(async (trx) => {
      const locked = await trx
        .updateTable('meta')
        .set({ value: sql<string>`cast(cast(${sql.ref('value')} as integer) + 1 as text)` })
        .where('key', '=', WRITE_LOCK_KEY)
        .returning('value')
        .executeTakeFirst();
      if (locked === undefined) throw new Error('store is missing its write-lock row: was the schema altered by hand?');
      return work(trx, Number(locked.value));
    });
  }
}

/** The check of a conditional write, made on the row the write's transaction read. */
function checkExpected(key: ResourceKey, row: { generation: number } | undefined, expected: Expected | undefined): void {
  const current = row?.generation ?? null;
  if (expected && expected.generation !== current) throw new StaleWrite(toKey(toColumns(key)), current);
}

function matches(key: KeyColumns) {
  return (eb: ExpressionBuilder<Database, 'resources'>) => eb.and(pickKey(key));
}

/**
 * Only ever called under the write lock: event ids are then handed out in commit order, so a reader
 * paging with `since` never misses an event that commits after it has read a later id.
 */
async function insertEvents(trx: Trx, events: EventRow[]): Promise<void> {
  for (const part of chunks(events)) await trx.insertInto('sync_events').values(part).execute();
}
