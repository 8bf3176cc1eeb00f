// The schema, as migrations kept in code so that the bundle needs no migration folder at run time.
// Both backends run the same migrations; the only place they differ is how an auto-numbered key is
// spelled, because SQLite and PostgreSQL share no syntax for it.
import { Migrator, sql } from 'kysely';
import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';

export type Backend = 'sqlite' | 'postgres';

/**
 * The row every resource write updates first: its row lock serializes writers on both backends, and
 * its value counts those writes (a resource's generation is the count at its last change).
 */
export const WRITE_LOCK_KEY = 'write_lock';
export const APPLIED_REVISION_KEY = 'applied_revision';

/** A value of the `meta` table, if there is one. */
async function metaValue(db: Kysely<unknown>, key: string): Promise<string | undefined> {
  return (await sql<{ value: string }>`select ${sql.ref('value')} from ${sql.table('meta')} where ${sql.ref('key')} = ${key}`.execute(db)).rows[0]?.value;
}

/** An auto-numbered primary key, as each backend spells it (the one place where they differ). */
const serialKey = (backend: Backend) => (col: ColumnDefinitionBuilder) =>
  backend === 'postgres' ? col.generatedByDefaultAsIdentity().primaryKey() : col.primaryKey().autoIncrement();

function oneOf(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}

function initial(backend: Backend): Migration {
  const serial = serialKey(backend);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('resources')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('revision', 'text')
        .addColumn('origin', 'text', (c) => c.notNull().check(oneOf('origin', ['git', 'system'])))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('resources_pk', ['kind', 'project', 'name', 'version'])
        .execute();
      await db.schema.createIndex('resources_project').on('resources').columns(['project', 'kind']).execute();

      await db.schema
        .createTable('sync_events')
        .addColumn('id', 'integer', serial)
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull().check(oneOf('trigger', ['webhook', 'internal', 'manual'])))
        .addColumn('actor', 'text')
        .addColumn('operation', 'text', (c) => c.notNull().check(oneOf('operation', ['create', 'update', 'delete'])))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('revision', 'text')
        .execute();
      await db.schema.createIndex('sync_events_project').on('sync_events').columns(['project', 'id']).execute();

      await db.schema
        .createTable('runs')
        .addColumn('seq', 'integer', serial)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull().check(oneOf('action', ['deploy', 'destroy'])))
        .addColumn('revision', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(oneOf('status', ['queued', 'waiting', 'in_progress', 'success', 'failure', 'cancelled'])),
        )
        .addColumn('activities', 'text')
        .addColumn('outputs', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('runs_environment').on('runs').columns(['project', 'environment', 'seq']).execute();

      await db.schema
        .createTable('approvals')
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('pull_number', 'integer', (c) => c.notNull())
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('login', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull().check(oneOf('decision', ['approve', 'reject'])))
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('approvals_pk', ['repo', 'pull_number', 'sha', 'gate', 'login'])
        .execute();

      await db.schema
        .createTable('deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await sql`insert into ${sql.table('meta')} (${sql.ref('key')}, ${sql.ref('value')}) values (${WRITE_LOCK_KEY}, '0')`.execute(db);
    },
  };
}

/**
 * The durable runtime: what a run did on GitHub (typed, where the first version kept strings under
 * `meta`), the pushes the system saw, the workers' heartbeats, and on SQLite the job queue itself
 * (on PostgreSQL, graphile-worker keeps its jobs in its own schema).
 */
function durableRuntime(backend: Backend): Migration {
  const serial = serialKey(backend);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('run_tracking')
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('dispatch', 'text', (c) => c.notNull())
        .addColumn('deployment_id', 'bigint')
        .addColumn('dispatch_requested_at', 'text')
        .addColumn('dispatched_at', 'text')
        .addColumn('workflow_run_id', 'bigint')
        .execute();

      await db.schema
        .createTable('pushes')
        .addColumn('seq', 'integer', serial)
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull().check(oneOf('outcome', ['applied', 'stale', 'invalid', 'ignored'])))
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pushes_repo').on('pushes').columns(['repo', 'seq']).execute();

      await db.schema
        .createTable('job_workers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('process', 'text', (c) => c.notNull())
        .addColumn('heartbeat_at', 'text', (c) => c.notNull())
        .execute();

      if (backend === 'sqlite') {
        await db.schema
          .createTable('jobs')
          .addColumn('id', 'integer', serial)
          .addColumn('task', 'text', (c) => c.notNull())
          .addColumn('queue', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.unique())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('run_at', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('max_attempts', 'integer', (c) => c.notNull())
          .addColumn('last_error', 'text')
          .addColumn('locked_by', 'text')
          .addColumn('locked_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('jobs_queue').on('jobs').columns(['queue', 'id']).execute();
      }

      // Runs started by the first version kept their GitHub bookkeeping as settings: move it.
      const settings = await sql<{ key: string; value: string }>`select ${sql.ref('key')}, ${sql.ref('value')} from ${sql.table('meta')} where ${sql.ref('key')} like 'setting:pending:%'`.execute(db);
      const repo = (await metaValue(db, 'setting:config-repository')) ?? '';
      for (const { key, value } of settings.rows) {
        const runId = key.slice('setting:pending:'.length);
        const deployment = await metaValue(db, `setting:deployment:${runId}`);
        const dispatched = await metaValue(db, `setting:dispatched:${runId}`);
        const { told: _told, ...dispatch } = JSON.parse(value) as Record<string, unknown>;
        await sql`insert into ${sql.table('run_tracking')} (run_id, repo, dispatch, deployment_id, dispatch_requested_at, dispatched_at)
          values (${runId}, ${repo}, ${JSON.stringify(dispatch)}, ${deployment === undefined ? null : Number(deployment)}, ${dispatched ?? null}, ${dispatched ?? null})`.execute(db);
        await sql`delete from ${sql.table('meta')} where ${sql.ref('key')} in (${key}, ${`setting:deployment:${runId}`}, ${`setting:dispatched:${runId}`})`.execute(db);
      }
    },
  };
}

/**
 * Config repositories as a model: the one repository the earlier versions kept as loose settings
 * becomes the first followed repository (owning every project, as it did), with its applied revision;
 * and a push may now be held (a mass deletion waiting for its approval).
 */
function configRepositories(backend: Backend): Migration {
  const serial = serialKey(backend);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('config_repositories')
        .addColumn('repo', 'text', (c) => c.primaryKey())
        .addColumn('installation_id', 'bigint')
        .addColumn('default_branch', 'text')
        .addColumn('projects', 'text')
        .addColumn('applied_revision', 'text')
        .addColumn('followed_at', 'text', (c) => c.notNull())
        .execute();
      const setting = (name: string) => metaValue(db, `setting:${name}`);
      const repo = await setting('config-repository');
      if (repo !== undefined) {
        const installation = await setting('installation-id');
        const applied = await metaValue(db, APPLIED_REVISION_KEY);
        await sql`insert into ${sql.table('config_repositories')} (repo, installation_id, default_branch, projects, applied_revision, followed_at)
          values (${repo}, ${installation === undefined ? null : Number(installation)}, ${(await setting('default-branch')) ?? null}, ${JSON.stringify(['*'])}, ${applied ?? null}, ${new Date().toISOString()})`.execute(db);
      }
      await sql`delete from ${sql.table('meta')} where ${sql.ref('key')} in ('setting:config-repository', 'setting:installation-id', 'setting:default-branch')`.execute(db);

      // A check constraint cannot be altered on SQLite: the table is made again with the new outcome.
      await db.schema
        .createTable('pushes_v3')
        .addColumn('seq', 'integer', serial)
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull().check(oneOf('outcome', ['applied', 'stale', 'invalid', 'ignored', 'held'])))
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await sql`insert into ${sql.table('pushes_v3')} (repo, sha, outcome, detail, at) select repo, sha, outcome, detail, at from ${sql.table('pushes')} order by seq`.execute(db);
      await db.schema.dropTable('pushes').execute();
      await db.schema.alterTable('pushes_v3').renameTo('pushes').execute();
      await db.schema.createIndex('pushes_repo_seq').on('pushes').columns(['repo', 'seq']).execute();
    },
  };
}

/**
 * A version per resource, so that a client can say which one its change is based on (ETag, If-Match).
 * The write count, not a per-row counter: a resource deleted and made again never takes back a
 * generation an old client may still hold. Rows stored before this start at 0, below every later count.
 */
const resourceGeneration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('resources').addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
};

/** The statuses a run can have since 0005: `waiting` in the store, `queued` once handed to GitHub. */
const RUN_STATUSES_V5 = ['waiting', 'queued', 'in_progress', 'success', 'failure', 'cancelled', 'superseded', 'not_run'];

/**
 * One run lifecycle for every trigger: who started a run and how (typed, shown in the API, the
 * deployment and the summary), why it did not run, and which run superseded it (a dependency on a
 * superseded run follows it). The status gains `superseded` and `not_run`, so a check constraint
 * changes: SQLite cannot alter one, so the table is made again there (rows keep their `seq`).
 * Runs the API recorded as `queued` that nothing ever dispatched become `not_run`, saying why.
 * A followed repository records its runner settings with its applied revision, so that a manual run
 * is dispatched as a merge's would be.
 */
function runLifecycle(backend: Backend): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (backend === 'postgres') {
        await sql`alter table runs drop constraint if exists runs_status_check`.execute(db);
        await sql`alter table runs add constraint runs_status_check check (${oneOf('status', RUN_STATUSES_V5)})`.execute(db);
        await db.schema.alterTable('runs').addColumn('trigger', 'text', (c) => c.notNull().defaultTo('webhook').check(oneOf('trigger', ['webhook', 'internal', 'manual']))).execute();
        await db.schema.alterTable('runs').addColumn('actor', 'text').execute();
        await db.schema.alterTable('runs').addColumn('superseded_by', 'text').execute();
        await db.schema.alterTable('runs').addColumn('reason', 'text').execute();
      } else {
        await db.schema
          .createTable('runs_v5')
          .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('project', 'text', (c) => c.notNull())
          .addColumn('environment', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull().check(oneOf('action', ['deploy', 'destroy'])))
          .addColumn('revision', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull().check(oneOf('status', RUN_STATUSES_V5)))
          .addColumn('activities', 'text')
          .addColumn('outputs', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text')
          .addColumn('finished_at', 'text')
          .addColumn('trigger', 'text', (c) => c.notNull().defaultTo('webhook').check(oneOf('trigger', ['webhook', 'internal', 'manual'])))
          .addColumn('actor', 'text')
          .addColumn('superseded_by', 'text')
          .addColumn('reason', 'text')
          .execute();
        await sql`insert into runs_v5 (seq, id, project, environment, action, revision, status, activities, outputs, created_at, started_at, finished_at)
          select seq, id, project, environment, action, revision, status, activities, outputs, created_at, started_at, finished_at from runs order by seq`.execute(db);
        await db.schema.dropTable('runs').execute();
        await db.schema.alterTable('runs_v5').renameTo('runs').execute();
        await db.schema.createIndex('runs_environment').on('runs').columns(['project', 'environment', 'seq']).execute();
      }
      await sql`update runs set status = 'not_run', reason = ${'started through the API before envsync dispatched manual runs: start it again'}, finished_at = created_at
        where status = 'queued' and not exists (select 1 from run_tracking where run_tracking.run_id = runs.id)`.execute(db);
      await db.schema.alterTable('config_repositories').addColumn('runner', 'text').execute();
    },
  };
}

/**
 * A run's sealed secrets go to its runner once: when they went is recorded with the run's tracking,
 * claimed by one conditional update, so that a replayed token or a second replica's answer gets nothing.
 */
const runSecrets: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('run_tracking').addColumn('secrets_handed_at', 'text').execute();
  },
};

/**
 * A bot pull request says who last changed each spec it writes: that event is read by the spec,
 * through this index, not by reading a project's whole history.
 */
const syncEventsBySpec: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('sync_events_spec').on('sync_events').columns(['project', 'kind', 'name', 'version', 'id']).execute();
  },
};

/** What an update changed, for the audit trail: the paths of the fields (never their values). */
const syncEventFields: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('sync_events').addColumn('fields', 'text').execute();
  },
};

/**
 * Names sort in the order they must run; append, never edit a released migration. Kysely runs them
 * inside a transaction on PostgreSQL but not on SQLite: there each runs in one of its own, so that a
 * crash half-way (a table being rebuilt, rows being moved) leaves the old schema, not half of the new.
 */
export function migrations(backend: Backend): Record<string, Migration> {
  const all = { '0001_initial': initial(backend), '0002_durable_runtime': durableRuntime(backend), '0003_config_repositories': configRepositories(backend), '0004_resource_generation': resourceGeneration, '0005_run_lifecycle': runLifecycle(backend), '0006_run_secrets': runSecrets, '0007_sync_events_by_spec': syncEventsBySpec, '0008_sync_event_fields': syncEventFields };
  if (backend === 'postgres') return all;
  return Object.fromEntries(Object.entries(all).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => db.transaction().execute((trx) => m.up(trx)) }]));
}

export async function migrateToLatest<DB>(db: Kysely<DB>, backend: Backend): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(backend) };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`store migration${failed === undefined ? '' : ` ${failed}`} failed: ${cause}`, { cause: error });
  }
}
