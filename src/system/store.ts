// The store: envsync's record of what the system holds (resources, runs, approvals, webhook
// deliveries) and of how it changed (sync events). One interface, two backends: SQLite for a single
// instance with nothing to set up, PostgreSQL when several replicas share state.
import { connect } from './connect.js';
import { DEFAULT_QUEUE_SETTINGS } from './jobs/queue.js';
import { migrateJobs, PostgresJobQueue } from './jobs/postgres-queue.js';
import { SqliteJobQueue } from './jobs/sqlite-queue.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import type { Store, StoreOptions } from './records.js';

export * from './records.js';

export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const { db, backend, pool } = connect(options);
  const settings = { ...DEFAULT_QUEUE_SETTINGS, ...options.queue };
  try {
    await migrateToLatest(db, backend);
    if (pool) await migrateJobs(pool);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const jobs = pool ? new PostgresJobQueue(db, pool, settings, options.log) : new SqliteJobQueue(db, settings);
  return new KyselyStore(db, jobs);
}
