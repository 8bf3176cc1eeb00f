// Leases on jobs, by heartbeat: each worker writes its heartbeat every third of the lease, and any
// worker that finds another's heartbeat older than the lease hands that worker's jobs back to the
// queue. A process killed in the middle of a job (SIGKILL, a lost machine) so loses its jobs after
// `leaseSeconds`, not after graphile-worker's fixed four hours (its open-source edition has no
// crash recovery; forceUnlockWorkers is its documented way to say "this worker is gone").
//
// A heartbeat is a timer on the event loop: a worker whose loop is blocked for longer than the lease
// looks dead and its job may run twice. Every effect is idempotent, so that costs time, not state;
// the lease should still be longer than the longest stall (30 s by default).
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { LostJobError } from './queue.js';

export class Leases {
  private readonly own = new Set<string>();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly leaseSeconds: number,
    /** Hands the jobs of workers found dead back to the queue. */
    private readonly release: (workerIds: string[]) => Promise<void>,
    /**
     * Workers holding a job locked since before `staleBefore` that never wrote a heartbeat (a
     * process that died between taking its first job and registering): dead as well.
     */
    private readonly orphans: (staleBefore: string) => Promise<string[]>,
    private readonly onError: (error: unknown) => void,
    /** The time heartbeats are written and compared in: the database's where several machines share it. */
    private readonly clock: () => Promise<Date> = async () => new Date(),
  ) {}

  async register(workerId: string): Promise<void> {
    this.own.add(workerId);
    const at = (await this.clock()).toISOString();
    await this.db
      .insertInto('job_workers')
      .values({ id: workerId, process: `pid ${process.pid}`, heartbeat_at: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: at }))
      .execute();
  }

  /** Starts beating and sweeping; sweeps once at once (a restart takes back its predecessor's jobs after the lease). */
  start(): void {
    const every = (ms: number, work: () => Promise<void>) => {
      const timer = setInterval(() => void work().catch(this.onError), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every((this.leaseSeconds * 1000) / 3, () => this.beat());
    every((this.leaseSeconds * 1000) / 4, () => this.sweep());
    void this.sweep().catch(this.onError);
  }

  /** Stops beating; the rows go, so that nobody waits a lease for a worker that said goodbye. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.own.size > 0) await this.db.deleteFrom('job_workers').where('id', 'in', [...this.own]).execute();
    this.own.clear();
  }

  /**
   * A job's fence (RunningJob.fence): beats now, outside the timer, then asks the queue whether this
   * worker still holds job `id`. Renewed first: once renewed, nobody may take the job for a whole
   * lease, so it cannot be taken between the look and the effect that follows.
   */
  async fence(id: string, holds: () => Promise<boolean>): Promise<void> {
    if (!(await this.renew()) || !(await holds())) throw new LostJobError(id);
  }

  /** Beats now: false when another worker has found this one dead since the last beat. */
  private async renew(): Promise<boolean> {
    if (this.own.size === 0) return false;
    const at = (await this.clock()).toISOString();
    const result = await this.db.updateTable('job_workers').set({ heartbeat_at: at }).where('id', 'in', [...this.own]).executeTakeFirst();
    return Number(result.numUpdatedRows) === this.own.size;
  }

  private async beat(): Promise<void> {
    if (this.own.size === 0) return;
    const at = (await this.clock()).toISOString();
    const result = await this.db.updateTable('job_workers').set({ heartbeat_at: at }).where('id', 'in', [...this.own]).executeTakeFirst();
    // Another worker found us dead (our loop was blocked past the lease) and took our jobs back:
    // say so, and beat again from now on.
    if (Number(result.numUpdatedRows) < this.own.size) {
      this.onError(new Error(`this worker's lease had expired (no heartbeat for ${this.leaseSeconds} s): jobs it was running may run again elsewhere`));
      for (const id of this.own) await this.register(id);
    }
  }

  private async sweep(): Promise<void> {
    const staleBefore = new Date((await this.clock()).getTime() - this.leaseSeconds * 1000).toISOString();
    const stale = (await this.db.selectFrom('job_workers').select('id').where('heartbeat_at', '<', staleBefore).execute()).map((r) => r.id);
    const dead = [...new Set([...stale, ...(await this.orphans(staleBefore))])].filter((id) => !this.own.has(id));
    if (dead.length === 0) return;
    await this.release(dead);
    await this.db.deleteFrom('job_workers').where('id', 'in', dead).execute();
  }
}
