// The job queue on PostgreSQL: graphile-worker. Chosen over pg-boss because its named queues are
// exactly "one job at a time per repository, in order, across every replica" (pg-boss's singleton
// policy keyed per repository makes a fetch fail whenever the oldest job's key is busy, so one long
// pull request check holds up every other repository's jobs), because a job is added with one SQL
// function call that commits inside our own transaction (the delivery and its job are one commit),
// and because it runs on Node 20 (pg-boss 11 and later need Node 22). Its open-source edition keeps
// a dead worker's jobs locked for four hours: leases.ts adds heartbeats and hands them back sooner.
import { EventEmitter } from 'node:events';
import { makeWorkerUtils, runMigrations, run, Logger, type Runner, type Task, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '../schema.js';
import { Leases } from './leases.js';
import { errorText, LostJobError, type Executor, type JobHandler, type JobQueue, type JobRecord, type JobState, type NewJob, type QueueSettings, type QueueStats, type WorkerOptions } from './queue.js';

const SCHEMA = 'graphile_worker';

interface ViewRow {
  id: string;
  queue_name: string | null;
  task_identifier: string;
  run_at: Date;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  created_at: Date;
  key: string | null;
  locked_at: Date | null;
}

const stateOf = (row: ViewRow): JobState => (row.locked_at !== null ? 'running' : row.attempts >= row.max_attempts ? 'failed' : 'pending');

/**
 * graphile-worker's own log lines, as ours. Its entries carry the whole job, payload included (a
 * comment's text, logins): only the job's identity is kept.
 */
function loggerOf(log: (level: string, message: string, meta?: object) => void): Logger {
  return new Logger((scope) => (level, message, meta) => {
    const { job, ...rest } = (meta ?? {}) as { job?: { id?: string; task_identifier?: string; attempts?: number } };
    log(level, message, { ...scope, ...rest, ...(job ? { job: { id: job.id, task: job.task_identifier, attempts: job.attempts } } : {}) });
  });
}

/** Installs (or upgrades) graphile-worker's schema; several replicas may run it at once. */
export async function migrateJobs(pool: pg.Pool): Promise<void> {
  try {
    await runMigrations({ pgPool: pool, schema: SCHEMA, logger: loggerOf(() => undefined) });
  } catch (e) {
    throw new Error(`the job queue's schema (graphile-worker, schema ${SCHEMA}) could not be set up: ${(e as Error).message}; the database user needs CREATE on the database`, { cause: e });
  }
}

/** PostgreSQL's clock, the same for every replica: heartbeats must not depend on each machine's. */
const databaseClock = (db: Kysely<Database>) => async () => new Date((await sql<{ now: Date }>`select now() as now`.execute(db)).rows[0]!.now);

export class PostgresJobQueue implements JobQueue {
  private runner?: Runner;
  private utils?: WorkerUtils;
  private leases?: Leases;
  private poolIds: string[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly pool: pg.Pool,
    private readonly settings: QueueSettings,
    private readonly log: (level: string, message: string, meta?: object) => void = () => undefined,
  ) {}

  async add(job: NewJob, db: Executor = this.db): Promise<void> {
    const payload = JSON.stringify(job.payload ?? null);
    const runAt = (job.runAt ?? new Date()).toISOString();
    await sql`select ${sql.id(SCHEMA, 'add_job')}(
      ${job.task}, ${payload}::json,
      queue_name => ${job.queue}, run_at => ${runAt}::timestamptz, max_attempts => ${this.settings.maxAttempts}::int,
      job_key => ${job.key ?? null}::text, job_key_mode => ${job.keepRunAt ? 'preserve_run_at' : 'replace'}::text)`.execute(db);
  }

  async requeueFailed(key: string, db: Executor = this.db): Promise<boolean> {
    const failed = await sql<{ id: string }>`select id from ${sql.id(SCHEMA, 'jobs')} where key = ${key} and locked_at is null and attempts >= max_attempts`.execute(db);
    const id = failed.rows[0]?.id;
    if (id === undefined) return false;
    await sql`select ${sql.id(SCHEMA, 'reschedule_jobs')}(array[${id}]::bigint[], run_at => now(), attempts => 0)`.execute(db);
    return true;
  }

  /** Whether this process's pool still holds the job. */
  private async holds(id: string): Promise<boolean> {
    const { rows } = await sql`select 1 from ${sql.id(SCHEMA, 'jobs')} where id = ${id}::bigint and locked_by = any(${this.poolIds}::text[])`.execute(this.db);
    return rows.length > 0;
  }

  async has(key: string, db: Executor = this.db): Promise<boolean> {
    return (await sql`select 1 from ${sql.id(SCHEMA, 'jobs')} where key = ${key}`.execute(db)).rows.length > 0;
  }

  async start(handler: JobHandler, options: WorkerOptions): Promise<void> {
    const task =
      (name: string): Task =>
      async (payload, helpers) => {
        const id = helpers.job.id;
        const fence = () => this.leases!.fence(id, () => this.holds(id));
        const job = { id, task: name, payload, attempt: helpers.job.attempts, signal: helpers.abortSignal ?? new AbortController().signal, fence };
        const started = performance.now();
        try {
          await handler(job);
          // graphile-worker completes a job by its id, whoever holds it now: if this worker lost the
          // job (its lease ran out while it worked, or a stop handed it back), another worker may be
          // running it, and completing it here would delete it under that worker and leave its
          // queue locked. Failing instead changes nothing (a failure is recorded only by the holder).
          if (!(await this.holds(job.id))) throw new LostJobError(job.id);
          options.onEvent?.({ type: 'succeeded', job, seconds: (performance.now() - started) / 1000 });
        } catch (error) {
          options.onEvent?.({ type: 'failed', job, seconds: (performance.now() - started) / 1000, error, final: helpers.job.attempts >= helpers.job.max_attempts });
          // graphile-worker keeps the message as last_error; the stack stays in our log.
          throw new Error(errorText(error), { cause: error });
        }
      };
    this.utils = await makeWorkerUtils({ pgPool: this.pool, schema: SCHEMA, logger: loggerOf(this.log) });
    const orphans = async (staleBefore: string) =>
      (
        await sql<{ locked_by: string }>`select distinct locked_by from ${sql.id(SCHEMA, 'jobs')}
          where locked_at < ${staleBefore}::timestamptz and locked_by is not null and locked_by not in (select id from job_workers)`.execute(this.db)
      ).rows.map((r) => r.locked_by);
    this.leases = new Leases(this.db, this.settings.leaseSeconds, (ids) => this.utils!.forceUnlockWorkers(ids), orphans, (e) => options.onError?.(e), databaseClock(this.db));
    // Jobs are locked by their worker pool: the pool's id is what keeps beating. The listener is in
    // place before run() creates the pool.
    const events: WorkerEvents = new EventEmitter();
    events.on('pool:create', ({ workerPool }) => {
      this.poolIds.push(workerPool.id);
      void this.leases!.register(workerPool.id).catch((e: unknown) => options.onError?.(e));
    });
    this.runner = await run({
      events,
      pgPool: this.pool,
      schema: SCHEMA,
      concurrency: options.concurrency,
      pollInterval: this.settings.pollMs,
      noHandleSignals: true,
      logger: loggerOf(this.log),
      taskList: Object.fromEntries(options.tasks.map((name) => [name, task(name)])),
    });
    this.leases.start();
  }

  async stop(graceMs: number): Promise<boolean> {
    const runner = this.runner;
    if (!runner) return true;
    let timeout: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([runner.stop().then(() => true), new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(false), graceMs)))]);
    clearTimeout(timeout);
    if (!inTime) {
      // Handed back now, so that the next worker need not wait a lease (graphile-worker's own abort
      // follows), and without the attempt: a job cut short by a stop did not fail.
      await this.handBack().catch(() => undefined);
      void runner.kill().catch(() => undefined);
    }
    await this.leases?.stop();
    await this.utils?.release();
    this.runner = undefined;
    return inTime;
  }

  private async handBack(): Promise<void> {
    const { rows } = await sql<{ id: string; attempts: number }>`select id, attempts from ${sql.id(SCHEMA, 'jobs')} where locked_by = any(${this.poolIds}::text[])`.execute(this.db);
    await this.utils!.forceUnlockWorkers(this.poolIds);
    for (const { id, attempts } of rows) {
      // Its place in its queue is kept (run_at unchanged): only the attempt is given back.
      await sql`select ${sql.id(SCHEMA, 'reschedule_jobs')}(array[${id}]::bigint[], attempts => ${Math.max(0, attempts - 1)}::int)`.execute(this.db);
    }
  }

  async idle(timeoutMs = 60_000): Promise<void> {
    const start = Date.now();
    for (;;) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.id(SCHEMA, 'jobs')} where locked_at is not null or (attempts < max_attempts and run_at <= now())`.execute(this.db);
      if (Number(rows[0]?.n ?? 0) === 0) return;
      if (Date.now() - start > timeoutMs) throw new Error(`jobs still due or running after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async list(filter: { state?: JobState; limit?: number } = {}): Promise<JobRecord[]> {
    const { rows } = await sql<ViewRow>`select id, queue_name, task_identifier, run_at, attempts, max_attempts, last_error, created_at, key, locked_at from ${sql.id(SCHEMA, 'jobs')} order by id`.execute(this.db);
    return rows
      .map((row) => ({
        id: String(row.id),
        task: row.task_identifier,
        queue: row.queue_name ?? '',
        key: row.key,
        state: stateOf(row),
        attempts: row.attempts,
        maxAttempts: row.max_attempts,
        lastError: row.last_error,
        runAt: new Date(row.run_at).toISOString(),
        createdAt: new Date(row.created_at).toISOString(),
      }))
      .filter((r) => filter.state === undefined || r.state === filter.state)
      .slice(0, filter.limit ?? Infinity);
  }

  async retry(id: string): Promise<boolean> {
    if (!/^\d+$/.test(id)) return false;
    const { rows } = await sql`select * from ${sql.id(SCHEMA, 'reschedule_jobs')}(array[${id}]::bigint[], run_at => now(), attempts => 0)`.execute(this.db);
    return rows.length > 0;
  }

  async stats(): Promise<QueueStats> {
    const { rows } = await sql<{ pending: string; running: string; failed: string; oldest: number | null }>`
      select count(*) filter (where locked_at is null and attempts < max_attempts) as pending,
             count(*) filter (where locked_at is not null) as running,
             count(*) filter (where locked_at is null and attempts >= max_attempts) as failed,
             extract(epoch from now() - min(created_at) filter (where locked_at is null and attempts < max_attempts and run_at <= now()))::float8 as oldest
      from ${sql.id(SCHEMA, 'jobs')}`.execute(this.db);
    const row = rows[0]!;
    return { pending: Number(row.pending), running: Number(row.running), failed: Number(row.failed), oldestPendingSeconds: Math.max(0, row.oldest ?? 0) };
  }
}
