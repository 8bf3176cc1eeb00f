// Executes an activity graph: each activity starts once everything it depends on has finished,
// independent ones run side by side up to a limit. A failure fails the run unless the activity may
// fail (`onFailure: continue`); after a failure only activities meant for it (`when: failure` or
// `always`) still start. Timeouts, retries and cancellation are per activity. Scheduling keeps
// counts of unfinished dependencies, so its own cost grows with activities plus edges.

export type ActivityStatus = 'success' | 'failure' | 'skipped' | 'cancelled';

export interface ExecutableActivity {
  id: string;
  dependsOn: readonly string[];
  /** Runs only if the run so far succeeded, failed, or in any case. */
  when?: 'success' | 'failure' | 'always';
  /** `continue`: a failure of this activity does not fail the run. */
  onFailure?: 'continue' | 'unspecified';
  timeoutSeconds?: number;
  maxRetryCount?: number;
}

export interface AttemptResult {
  ok: boolean;
  reason?: string;
  outputs?: Record<string, unknown>;
}

export interface ActivityRecord {
  id: string;
  status: ActivityStatus;
  attempts: number;
  reason?: string;
  outputs?: Record<string, unknown>;
  startedAt?: number;
  finishedAt?: number;
}

export interface RunRecordResult {
  status: 'success' | 'failure' | 'cancelled';
  activities: ActivityRecord[];
}

export interface ExecuteOptions {
  /** Activities running at once (default 4). */
  concurrency?: number;
  /** Cancels the run: running activities are aborted, the rest are cancelled. */
  signal?: AbortSignal;
  now?: () => number;
  /** Called as each activity starts and finishes (logs, live status). */
  onEvent?: (event: { type: 'start' | 'finish'; record: ActivityRecord }) => void;
}

export type ActivityRunner<A extends ExecutableActivity> = (activity: A, signal: AbortSignal) => Promise<AttemptResult>;

class TimeoutError extends Error {}

async function attemptWithTimeout<A extends ExecutableActivity>(activity: A, run: ActivityRunner<A>, parent: AbortSignal): Promise<AttemptResult> {
  const controller = new AbortController();
  const abort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = run(activity, controller.signal);
    if (!activity.timeoutSeconds) return await work;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new TimeoutError());
        reject(new TimeoutError());
      }, activity.timeoutSeconds! * 1000);
    });
    return await Promise.race([work, timeout]);
  } catch (e) {
    if (e instanceof TimeoutError) return { ok: false, reason: `timed out after ${activity.timeoutSeconds}s` };
    if (parent.aborted) throw e;
    return { ok: false, reason: (e as Error).message ?? String(e) };
  } finally {
    if (timer) clearTimeout(timer);
    parent.removeEventListener('abort', abort);
  }
}

export async function executeGraph<A extends ExecutableActivity>(activities: readonly A[], run: ActivityRunner<A>, options: ExecuteOptions = {}): Promise<RunRecordResult> {
  const now = options.now ?? Date.now;
  const limit = Math.max(1, options.concurrency ?? 4);
  const signal = options.signal ?? new AbortController().signal;
  const byId = new Map(activities.map((a) => [a.id, a]));
  const records = new Map<string, ActivityRecord>(activities.map((a) => [a.id, { id: a.id, status: 'skipped', attempts: 0 }]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const a of activities) {
    const deps = a.dependsOn.filter((d) => byId.has(d));
    waiting.set(a.id, deps.length);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(a.id);
      else dependents.set(d, [a.id]);
    }
  }
  const ready: string[] = activities.filter((a) => waiting.get(a.id) === 0).map((a) => a.id);
  let readyHead = 0;
  let failed = false;
  let running = 0;

  return new Promise<RunRecordResult>((resolve) => {
    const settle = (id: string) => {
      for (const next of dependents.get(id) ?? []) {
        const left = waiting.get(next)! - 1;
        waiting.set(next, left);
        if (left === 0) ready.push(next);
      }
    };
    const pump = (): void => {
      while (running < limit && readyHead < ready.length) {
        const id = ready[readyHead++]!;
        const activity = byId.get(id)!;
        const record = records.get(id)!;
        const wanted = signal.aborted ? false : activity.when === 'always' ? true : activity.when === 'failure' ? failed : !failed;
        if (!wanted) {
          record.status = signal.aborted ? 'cancelled' : 'skipped';
          settle(id);
          continue;
        }
        running++;
        record.startedAt = now();
        options.onEvent?.({ type: 'start', record });
        void (async () => {
          let result: AttemptResult = { ok: false };
          const attempts = 1 + Math.max(0, activity.maxRetryCount ?? 0);
          try {
            for (let attempt = 1; attempt <= attempts; attempt++) {
              record.attempts = attempt;
              result = await attemptWithTimeout(activity, run, signal);
              if (result.ok || signal.aborted) break;
            }
            record.status = signal.aborted && !result.ok ? 'cancelled' : result.ok ? 'success' : 'failure';
          } catch (e) {
            record.status = 'cancelled';
            result = { ok: false, reason: String((e as Error)?.message ?? e) };
          }
          if (result.reason !== undefined) record.reason = result.reason;
          if (result.outputs !== undefined) record.outputs = result.outputs;
          record.finishedAt = now();
          if (record.status === 'failure' && activity.onFailure !== 'continue') failed = true;
          options.onEvent?.({ type: 'finish', record });
          running--;
          settle(id);
          pump();
        })();
      }
      if (running === 0 && readyHead >= ready.length) {
        // Whatever never became ready (a cycle, or a dependency that never ran) is reported skipped.
        const status = signal.aborted ? 'cancelled' : failed ? 'failure' : 'success';
        resolve({ status, activities: activities.map((a) => records.get(a.id)!) });
      }
    };
    pump();
  });
}
