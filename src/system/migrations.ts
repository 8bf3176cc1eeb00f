// The schema, as migrations kept in code so that the bundle needs no migration folder at run time.
// Both backends run the same migrations; the only place they differ is how an auto-numbered key is
// spelled, because SQLite and PostgreSQL share no syntax for it.
import { Migrator, sql } from 'kysely';
import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';

export type Backend = 'sqlite' | 'postgres';

/** The row every resource write updates first: its row lock serializes writers on both backends. */
export const WRITE_LOCK_KEY = 'write_lock';
export const APPLIED_REVISION_KEY = 'applied_revision';

function oneOf(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}

function initial(backend: Backend): Migration {
  const serial = (col: ColumnDefinitionBuilder) =>
    backend === 'postgres' ? col.generatedByDefaultAsIdentity().primaryKey() : col.primaryKey().autoIncrement();
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

/** Names sort in the order they must run; append, never edit a released migration. */
function migrations(backend: Backend): Record<string, Migration> {
  return { '0001_initial': initial(backend) };
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
