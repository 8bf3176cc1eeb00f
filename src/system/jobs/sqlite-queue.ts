// The job queue of the embedded SQLite store: a table of jobs and a polling worker in this process,
// with graphile-worker's semantics (see queue.ts) so that a single instance behaves as a fleet of
// replicas on PostgreSQL does. Written here because no well-kept job queue runs on SQLite; it stays
// small because SQLite serializes writers, so a claim is one transaction and needs no SKIP LOCKED.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, JobsTable } from '../schema.js';
import { Leases } from './leases.js';
import { backoffSeconds, errorText, type Executor, type JobHandler, type JobQueue, type JobRecord, type JobState, type NewJob, type QueueSettings, type QueueStats, type RunningJob, type WorkerOptions } from './queue.js';

type Row = Selectable<JobsTable>;

const stateOf = (row: Row): JobState => (row.locked_by !== null ? 'running' : row.attempts >= row.max_attempts ? 'failed' : 'pending');

const toRecord = (row: Row): JobRecord => ({
  id: String(row.id),
  task: row.task,
  queue: row.queue,
  key: row.key,
  state: stateOf(row),
  attempts: row.attempts,
  maxAttempts: row.max_attempts,
  lastError: row.last_error,
  runAt: row.run_at,
  createdAt: row.created_at,
});

const concat = (before: unknown, after: unknown) => (Array.isArray(before) && Array.isArray(after) ? [...before, ...after] : after);

export class SqliteJobQueue implements JobQueue {
  private readonly workerId = `worker-${randomBytes(6).toString('hex')}`;
  private readonly running = new Map<number, { done: Promise<void>; abort: AbortController }>();
  private handler?: JobHandler;
  private options?: WorkerOptions;
  private leases?: Leases;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private polling = false;
  private pollAgain = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly settings: QueueSettings,
  ) {}

  async add(job: NewJob, db: Executor = this.db): Promise<void> {
    // One transaction: a claim between the read and the write below would otherwise let this add
    // change a job that has just started running.
    if (!db.isTransaction) return db.transaction().execute((trx) => this.add(job, trx));
    const now = new Date();
    const runAt = (job.runAt ?? now).toISOString();
    const values = { task: job.task, queue: job.queue, payload: JSON.stringify(job.payload ?? null), run_at: runAt, max_attempts: this.settings.maxAttempts };
    const existing = job.key === undefined ? undefined : await db.selectFrom('jobs').selectAll().where('key', '=', job.key).executeTakeFirst();
    if (existing === undefined) {
      await db.insertInto('jobs').values({ ...values, key: job.key ?? null, created_at: now.toISOString() }).execute();
    } else if (existing.locked_by !== null) {
      // Running: it keeps running (and will not run again), and the new job takes its key.
      await db.updateTable('jobs').set({ key: null, max_attempts: existing.attempts }).where('id', '=', existing.id).execute();
      await db.insertInto('jobs').values({ ...values, key: job.key ?? null, created_at: now.toISOString() }).execute();
    } else if (existing.attempts >= existing.max_attempts) {
      await db.updateTable('jobs').set({ ...values, attempts: 0, last_error: null }).where('id', '=', existing.id).execute();
    } else {
      const payload = JSON.stringify(concat(JSON.parse(existing.payload), job.payload ?? null));
      await db.updateTable('jobs').set({ ...values, payload, run_at: job.keepRunAt ? existing.run_at : runAt }).where('id', '=', existing.id).execute();
    }
    // Added by this process: looked at at once rather than at the next poll (after the commit).
    setImmediate(() => this.poll());
  }

  async requeueFailed(key: string, db: Executor = this.db): Promise<boolean> {
    const result = await db
      .updateTable('jobs')
      .set({ attempts: 0, last_error: null, run_at: new Date().toISOString() })
      .where('key', '=', key)
      .where('locked_by', 'is', null)
      .whereRef('attempts', '>=', 'max_attempts')
      .executeTakeFirst();
    setImmediate(() => this.poll());
    return Number(result.numUpdatedRows) > 0;
  }

  async has(key: string, db: Executor = this.db): Promise<boolean> {
    return (await db.selectFrom('jobs').select('id').where('key', '=', key).executeTakeFirst()) !== undefined;
  }

  async start(handler: JobHandler, options: WorkerOptions): Promise<void> {
    this.handler = handler;
    this.options = options;
    this.stopping = false;
    this.leases = new Leases(this.db, this.settings.leaseSeconds, (ids) => this.release(ids), (staleBefore) => this.orphans(staleBefore), (e) => options.onError?.(e));
    await this.leases.register(this.workerId);
    this.leases.start();
    this.timer = setInterval(() => this.poll(), this.settings.pollMs);
    this.timer.unref();
    this.poll();
  }

  async stop(graceMs: number): Promise<boolean> {
    this.stopping = true;
    clearInterval(this.timer);
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timeout: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([all.then(() => true), new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(false), graceMs)))]);
    clearTimeout(timeout);
    if (!inTime) {
      for (const { abort } of this.running.values()) abort.abort(new Error('the server is stopping'));
      // Handed back now, so that the next worker need not wait a lease for them, and without the
      // attempt: a job cut short by a stop did not fail (a crash, which may be the job's doing, counts).
      await this.db
        .updateTable('jobs')
        .set((eb) => ({ locked_by: null, locked_at: null, attempts: eb('attempts', '-', 1) }))
        .where('locked_by', '=', this.workerId)
        .execute();
    }
    await this.leases?.stop();
    return inTime;
  }

  async idle(timeoutMs = 60_000): Promise<void> {
    const start = Date.now();
    for (;;) {
      const due = await this.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => eb.or([eb('locked_by', 'is not', null), eb.and([eb('attempts', '<', eb.ref('max_attempts')), eb('run_at', '<=', new Date().toISOString())])]))
        .executeTakeFirstOrThrow();
      if (Number(due.n) === 0 && this.running.size === 0) return;
      if (Date.now() - start > timeoutMs) throw new Error(`jobs still due or running after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async list(filter: { state?: JobState; limit?: number } = {}): Promise<JobRecord[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().orderBy('id').execute();
    return rows
      .map(toRecord)
      .filter((r) => filter.state === undefined || r.state === filter.state)
      .slice(0, filter.limit ?? Infinity);
  }

  async retry(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ attempts: 0, last_error: null, run_at: new Date().toISOString() })
      .where('id', '=', Number(id))
      .where('locked_by', 'is', null)
      .executeTakeFirst();
    setImmediate(() => this.poll());
    return Number(result.numUpdatedRows) > 0;
  }

  async stats(): Promise<QueueStats> {
    const now = new Date().toISOString();
    // One aggregate, as on PostgreSQL: a scrape must not read every job.
    const { rows } = await sql<{ pending: number; running: number; failed: number; oldest: string | null }>`
      select
        coalesce(sum(case when locked_by is null and attempts < max_attempts then 1 else 0 end), 0) as pending,
        coalesce(sum(case when locked_by is not null then 1 else 0 end), 0) as running,
        coalesce(sum(case when locked_by is null and attempts >= max_attempts then 1 else 0 end), 0) as failed,
        min(case when locked_by is null and attempts < max_attempts and run_at <= ${now} then created_at end) as oldest
      from jobs`.execute(this.db);
    const { pending, running, failed, oldest } = rows[0]!;
    return { pending: Number(pending), running: Number(running), failed: Number(failed), oldestPendingSeconds: oldest === null ? 0 : Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) };
  }

  /** Takes due jobs while there are free slots; runs again when asked while it runs. */
  private poll(): void {
    if (!this.handler || this.stopping) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    void (async () => {
      try {
        do {
          this.pollAgain = false;
          while (!this.stopping && this.running.size < this.options!.concurrency) {
            const row = await this.claim();
            if (!row) break;
            this.run(row);
          }
        } while (this.pollAgain && !this.stopping);
      } catch (e) {
        this.options?.onError?.(e);
      } finally {
        this.polling = false;
      }
    })();
  }

  /** One due job of a queue nobody works on, locked for this worker; the earliest first. */
  private claim(): Promise<Row | undefined> {
    const now = new Date().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('jobs as j')
        .selectAll()
        .where('j.locked_by', 'is', null)
        .where('j.attempts', '<', (eb) => eb.ref('j.max_attempts'))
        .where('j.run_at', '<=', now)
        .where('j.task', 'in', [...this.options!.tasks])
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('jobs as o').select('o.id').whereRef('o.queue', '=', 'j.queue').where('o.locked_by', 'is not', null))))
        .orderBy('j.run_at')
        .orderBy('j.id')
        .limit(1)
        .executeTakeFirst();
      if (!row) return undefined;
      return trx
        .updateTable('jobs')
        .set({ locked_by: this.workerId, locked_at: now, attempts: row.attempts + 1 })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  private run(row: Row): void {
    const abort = new AbortController();
    const id = String(row.id);
    const holds = async () => (await this.db.selectFrom('jobs').select('id').where('id', '=', row.id).where('locked_by', '=', this.workerId).executeTakeFirst()) !== undefined;
    const fence = () => this.leases!.fence(id, holds);
    const job: RunningJob = { id, task: row.task, payload: JSON.parse(row.payload), attempt: row.attempts, signal: abort.signal, fence };
    const started = performance.now();
    const done = (async () => {
      try {
        await this.handler!(job);
        if (abort.signal.aborted) return; // handed back: the row is no longer ours
        await this.db.deleteFrom('jobs').where('id', '=', row.id).where('locked_by', '=', this.workerId).execute();
        this.options?.onEvent?.({ type: 'succeeded', job, seconds: (performance.now() - started) / 1000 });
      } catch (error) {
        if (abort.signal.aborted) return;
        const final = row.attempts >= row.max_attempts;
        const retryAt = new Date(Date.now() + backoffSeconds(row.attempts) * 1000).toISOString();
        await this.db
          .updateTable('jobs')
          .set({ locked_by: null, locked_at: null, last_error: errorText(error), run_at: final ? row.run_at : retryAt })
          .where('id', '=', row.id)
          .where('locked_by', '=', this.workerId)
          .execute()
          .catch((e: unknown) => this.options?.onError?.(e));
        this.options?.onEvent?.({ type: 'failed', job, seconds: (performance.now() - started) / 1000, error, final });
      }
    })()
      .catch((e: unknown) => this.options?.onError?.(e))
      .finally(() => {
        this.running.delete(row.id);
        this.poll();
      });
    this.running.set(row.id, { done, abort });
  }

  private async orphans(staleBefore: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select('locked_by')
      .distinct()
      .where('locked_at', '<', staleBefore)
      .where('locked_by', 'not in', (eb) => eb.selectFrom('job_workers').select('job_workers.id'))
      .execute();
    return rows.flatMap((r) => (r.locked_by === null ? [] : [r.locked_by]));
  }

  /** Hands the jobs of these workers back to the queue (they died, or this one is leaving). */
  private async release(workerIds: string[]): Promise<void> {
    await this.db.updateTable('jobs').set({ locked_by: null, locked_at: null }).where('locked_by', 'in', workerIds).execute();
    setImmediate(() => this.poll());
  }
}
