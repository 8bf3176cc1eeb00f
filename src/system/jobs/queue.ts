// The durable job queue: what a webhook becomes once it is accepted. A job is committed to the store
// before GitHub gets its answer; workers take jobs under a lease, run the jobs of one queue (a
// repository, a pull request) one at a time in the order they came (a job waiting to retry lets the
// later ones go first), retry failures with backoff, and keep a job that failed for good where an
// operator can see it and retry it.
//
// Two implementations behind this one interface: on PostgreSQL, graphile-worker (see
// postgres-queue.ts for why that one); on the embedded SQLite store, a small queue of our own with
// the same semantics (sqlite-queue.ts), since no well-kept queue runs on SQLite.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** A job that waits its turn (pending), is being worked on (running), or failed for good (failed). */
export type JobState = 'pending' | 'running' | 'failed';

/**
 * The queue of everything that changes the system or the runs of one repository (OWNER/NAME): one
 * name however GitHub or the operator spells the repository, so that its jobs never run side by side.
 */
export const repositoryQueueOf = (name: string) => name.toLowerCase();

export interface NewJob {
  /** What to do: the name the worker's handler is registered under. */
  task: string;
  /** Jobs of one queue run one at a time, in the order they were added. */
  queue: string;
  payload: unknown;
  /**
   * Identifies the job while it exists: adding a job with the key of a pending one replaces it (no
   * duplicate); with the key of one that failed for good, queues it again.
   */
  key?: string;
  /** Not before this time (a batching window, a schedule); now by default. */
  runAt?: Date;
  /**
   * With a key: a pending job keeps its time instead of taking this one's (a batching window that
   * fills up rather than moves), and array payloads are concatenated.
   */
  keepRunAt?: boolean;
}

export interface JobRecord {
  id: string;
  task: string;
  queue: string;
  key: string | null;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  /** When it runs next (pending), or ran last. ISO-8601. */
  runAt: string;
  createdAt: string;
}

export interface RunningJob {
  id: string;
  task: string;
  payload: unknown;
  /** 1 on the first try. */
  attempt: number;
  /** Aborted when a stop runs out of grace: long work should give up at the next step. */
  signal: AbortSignal;
  /**
   * Called before each effect outside the store (a GitHub write): renews this worker's lease, and
   * throws a LostJobError when the job is no longer this worker's. A worker whose event loop stalled
   * past its lease has had the job taken back and given to another worker; without this fence both
   * would write, and an "ensure" that read before the other's write would create a second copy.
   * Once renewed, nobody can take the job for a whole lease, which covers the write that follows.
   */
  fence(): Promise<void>;
}

/** A job finished, or about to act, in a worker that no longer holds it: another worker has it. */
export class LostJobError extends Error {
  constructor(id: string) {
    super(`job ${id} was taken back from this worker before it finished (its lease ran out, or the server stopped): the worker holding it now finishes it`);
    this.name = 'LostJobError';
  }
}

export type JobHandler = (job: RunningJob) => Promise<void>;

/** What happened to a job: for the log and the metrics. */
export type JobEvent =
  | { type: 'succeeded'; job: RunningJob; seconds: number }
  | { type: 'failed'; job: RunningJob; seconds: number; error: unknown; final: boolean };

export interface WorkerOptions {
  /** Jobs this process runs at once (of different queues). */
  concurrency: number;
  /** The task names the handler knows; jobs of other tasks are left alone. */
  tasks: readonly string[];
  onEvent?: (event: JobEvent) => void;
  /** Called with what went wrong in the worker itself (not in a job): the store unreachable, say. */
  onError?: (error: unknown) => void;
}

export interface QueueStats {
  pending: number;
  running: number;
  failed: number;
  /** Seconds the oldest job that is due has waited; 0 when none waits. */
  oldestPendingSeconds: number;
}

/** Anything jobs can be added within: the store's database, or one of its transactions. */
export type Executor = Kysely<Database>;

export interface JobQueue {
  /** Adds a job; within `db` when given, so that it commits (or not) with what else `db` writes. */
  add(job: NewJob, db?: Executor): Promise<void>;
  /** Queues again the job with `key` if it failed for good; false when there is no such job. */
  requeueFailed(key: string, db?: Executor): Promise<boolean>;
  /** Whether a job with `key` exists (pending, running or failed). */
  has(key: string, db?: Executor): Promise<boolean>;
  /** Starts taking jobs; resolves once the worker is running. */
  start(handler: JobHandler, options: WorkerOptions): Promise<void>;
  /**
   * Stops taking jobs and waits at most `graceMs` for those running; what is still running then is
   * handed back to the queue for another worker. Resolves true when every job finished in time.
   */
  stop(graceMs: number): Promise<boolean>;
  /** Resolves once no job is running or due (tests, and `npm run demo`'s steps). */
  idle(timeoutMs?: number): Promise<void>;
  list(filter?: { state?: JobState; limit?: number }): Promise<JobRecord[]>;
  /** Queues a failed (or pending) job to run now, with its attempts reset; false when it is running or gone. */
  retry(id: string): Promise<boolean>;
  stats(): Promise<QueueStats>;
}

export interface QueueSettings {
  /** Attempts before a job fails for good (ENVSYNC_JOB_ATTEMPTS). */
  maxAttempts: number;
  /** Seconds a worker may go without a heartbeat before its jobs are taken again (ENVSYNC_JOB_LEASE_SECONDS). */
  leaseSeconds: number;
  /** How often an idle worker looks for jobs that became due, in milliseconds. */
  pollMs: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = { maxAttempts: 6, leaseSeconds: 30, pollMs: 1000 };

/**
 * Seconds before attempt n+1 after n failed: e^n, as graphile-worker waits, so that both backends
 * retry alike (2.7 s, 7.4 s, 20 s, 55 s, 2.5 min: about 4 minutes over 6 attempts).
 */
export const backoffSeconds = (attempts: number): number => Math.exp(Math.min(10, attempts));

/** The text kept of an error: its message, bounded (a job's error is listed, not a log). */
export const errorText = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
};
