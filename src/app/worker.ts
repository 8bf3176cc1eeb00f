// Runs one job: a GitHub client for its installation, then the flow its task names. Jobs that start
// other jobs (a /plan re-check, the release of held runs) add them to the queue they belong to.
import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import pLimit from 'p-limit';
import type { GitHubPort, RepoRef } from '../github/port.js';
import { Revisions } from '../flows/revisions.js';
import { reachableRepositories } from '../flows/config-repository.js';
import { applyHeldPush, applyPush } from '../flows/merge/apply-push.js';
import { checkPullRequest } from '../flows/review/check-pull-request.js';
import { handleCommand } from '../flows/review/commands.js';
import { advanceRuns } from '../flows/runs/advance-runs.js';
import { followWorkflowRun } from '../flows/runs/follow-workflow-run.js';
import { followUpRuns } from '../flows/runs/follow-up-runs.js';
import { checkDrift } from '../flows/sync/drift.js';
import { exportSystemChanges } from '../flows/sync/system-changes.js';
import type { RunningJob } from '../system/jobs/queue.js';
import type { SystemService } from '../system/service.js';
import { driftKey, followUpKey, nameOf, PRUNE_KEY, PRUNE_QUEUE, pullRequestQueue, recheckKey, repositoryQueue, type Job, type JobPayloads, type TaskName } from './jobs.js';

export interface WorkerContext {
  service: SystemService;
  /** A GitHub port authenticated as the app's installation, whose writes await `beforeWrite` (the job's fence). */
  portFor(installation: number, beforeWrite: () => Promise<void>): Promise<GitHubPort>;
  log: { info(fields: object, message: string): void; debug(fields: object, message: string): void };
  /** Minutes between drift checks; 0: none. */
  driftMinutes: number;
  /** Days that finished runs' tracking and webhook deliveries are kept (ENVSYNC_RETENTION_DAYS); 0: forever. */
  retentionDays?: number;
  /** Minutes after which a dispatched run that has not reported is asked about on GitHub (ENVSYNC_RUN_FOLLOW_UP_MINUTES); 0: never. */
  followUpMinutes?: number;
  /** At most this many jobs that read and validate a whole revision at once (ENVSYNC_HEAVY_JOBS). */
  heavyJobs?: number;
  /** The revisions read before: a pull request's head is read from them (see revisions.ts). */
  revisions?: Revisions;
}

/**
 * Jobs that read and validate a revision, plan it against the system and render it: each holds a
 * revision's worth of memory while it runs (about 170 MB at 30,000 specs read whole), so they run
 * through a bounded pool; the others (a comment, a workflow run's progress) go on beside them.
 */
const HEAVY: ReadonlySet<TaskName> = new Set(['check-pull-request', 'apply-push', 'release-runs', 'drift-check', 'sync-system-changes']);

/** Heavy jobs at once unless set: one per core, and no more than the heap holds at 512 MB each. */
export function heavyJobsFrom(env: NodeJS.ProcessEnv): number {
  const set = Number(env.ENVSYNC_HEAVY_JOBS);
  if (Number.isInteger(set) && set >= 1) return set;
  const heapMb = getHeapStatistics().heap_size_limit / 2 ** 20;
  return Math.max(1, Math.min(availableParallelism(), Math.floor(heapMb / 512)));
}

/** Adds a job to the store's queue. */
export const enqueue = (service: SystemService, job: Job) => service.records.jobs.add(job);

/** The GitHub port of one job: every write waits for the job's fence. */
type PortOf = (installation: number) => Promise<GitHubPort>;

export function createWorker(context: WorkerContext): (job: RunningJob) => Promise<void> {
  const { service, log } = context;
  const store = service.records;
  const revisions = context.revisions ?? new Revisions();
  const heavy = pLimit(context.heavyJobs ?? heavyJobsFrom(process.env));
  const followUpMs = (context.followUpMinutes ?? 0) * 60_000;
  const followUpLater = (installation: number, repo: RepoRef, outOnGitHub?: true) => (followUpMs > 0 ? scheduleFollowUp(service, installation, repo, followUpMs, outOnGitHub) : Promise.resolve());

  const tasks: { [K in TaskName]: (payload: JobPayloads[K], portFor: PortOf) => Promise<object> } = {
    'check-pull-request': async ({ installation, repo, number, headSha }, portFor) =>
      checkPullRequest(await portFor(installation), service, store, { number, repository: { name: repo.repo, owner: { login: repo.owner } }, ...(headSha ? { pull_request: { head: { sha: headSha } } } : {}) }, revisions),

    command: async ({ installation, event }, portFor) => {
      const repo: RepoRef = { owner: event.repository.owner.login, repo: event.repository.name };
      return handleCommand(await portFor(installation), store, event, {
        replan: () => enqueue(service, { task: 'check-pull-request', queue: pullRequestQueue(repo, event.issue.number), key: recheckKey(repo, event.issue.number), payload: { installation, repo, number: event.issue.number } }),
        releaseRuns: (pullRequest) => enqueue(service, { task: 'release-runs', queue: repositoryQueue(repo), payload: { installation, repo, which: { pullRequest } } }),
      });
    },

    'apply-push': async ({ installation, event }, portFor) => {
      const outcome = await applyPush(await portFor(installation), service, event, revisions);
      if ('applied' in outcome) {
        if (context.driftMinutes > 0) await scheduleDrift(service, { owner: event.repository.owner.login, repo: event.repository.name }, context.driftMinutes);
        if (outcome.runs.length > 0) await followUpLater(installation, { owner: event.repository.owner.login, repo: event.repository.name });
        const { created, updated, deleted } = outcome.applied;
        log.info({ repo: `${event.repository.owner.login}/${event.repository.name}`, revision: outcome.revision, forced: outcome.forced, created: created.length, updated: updated.length, deleted: deleted.length, runs: outcome.runs.length }, 'revision applied to the system');
        return { revision: outcome.revision, runs: outcome.runs.length };
      }
      return outcome;
    },

    'follow-workflow-run': async ({ installation, event }, portFor) => {
      const outcome = await followWorkflowRun(await portFor(installation), store, event);
      await followUpLater(installation, { owner: event.repository.owner.login, repo: event.repository.name });
      return outcome;
    },

    'follow-up-runs': async ({ installation, repo }, portFor) => {
      const outcome = await followUpRuns(await portFor(installation), store, repo, followUpMs);
      // Again later while some are still out on GitHub; none left, none due.
      if (outcome.pending.length > 0) await followUpLater(installation, repo, true);
      return outcome;
    },

    'release-runs': async ({ installation, repo, which }, portFor) => {
      const port = await portFor(installation);
      // An approval of the deletion gate on a merged pull request applies the merge it held.
      const held = 'pullRequest' in which ? await applyHeldPush(port, service, repo, revisions) : undefined;
      const released = (await advanceRuns(port, store, repo, which)).length;
      await followUpLater(installation, repo);
      return { ...(held ? { held: 'applied' in held ? 'applied' : held.ignored } : {}), released };
    },

    'drift-check': async ({ repo: name }, portFor) => {
      const outcomes: object[] = [];
      // Before the payload named its repository, one drift check covered the one repository there was.
      for (const followed of await reachableRepositories(store, name ? [name] : undefined)) {
        // The next check is due from now, whatever this one's outcome (a failure is retried on its own).
        if (context.driftMinutes > 0) await scheduleDrift(service, followed.repo, context.driftMinutes);
        outcomes.push({ repo: followed.name, ...(await checkDrift(await portFor(followed.installation), service, followed.repo, followed.defaultBranch, followed.projects, revisions)) });
      }
      return outcomes.length > 0 ? { checked: outcomes } : { skipped: 'no followed repository has sent an event yet: nothing to compare with' };
    },

    prune: async () => {
      const days = context.retentionDays ?? 0;
      if (days <= 0) return { skipped: 'retention is off (ENVSYNC_RETENTION_DAYS=0)' };
      // The next prune is due a day from now, whatever this one's outcome.
      await schedulePrune(service);
      return service.records.prune(new Date(Date.now() - days * DAY_MS).toISOString());
    },

    'sync-system-changes': async (changes, portFor) => {
      // A window of changes of one repository; older jobs held bare actor names, of the one repository there was.
      const names = [...new Set(changes.flatMap((c) => (typeof c === 'string' ? [] : [c.repo])))];
      const actors = [...new Set(changes.map((c) => (typeof c === 'string' ? c : c.actor)))];
      const delivered: string[] = [];
      for (const followed of await reachableRepositories(store, names.length > 0 ? names : undefined)) {
        const results = await exportSystemChanges(await portFor(followed.installation), service, followed.repo, followed.defaultBranch, actors, followed.projects);
        delivered.push(...results.map((d) => `${followed.name}: ${d.outcome}`));
      }
      return delivered.length > 0 ? { changes: changes.length, delivered } : { skipped: 'no followed repository to deliver to' };
    },
  };

  return async (job) => {
    const run = tasks[job.task as TaskName] as (payload: unknown, portFor: PortOf) => Promise<object>;
    if (!run) throw new Error(`no task "${job.task}"`);
    log.debug({ job: job.id, task: job.task, attempt: job.attempt }, 'job started');
    const work = () => run(job.payload, (installation) => context.portFor(installation, job.fence));
    const outcome = HEAVY.has(job.task as TaskName) ? await heavy(work) : await work();
    log.info({ job: job.id, task: job.task, attempt: job.attempt, ...outcome }, `job done: ${job.task}`);
  };
}

const DAY_MS = 24 * 60 * 60_000;

/** The follow-up of a repository's dispatched runs, `ms` from now unless one is due sooner (one pending job, by its key). */
export async function scheduleFollowUp(service: SystemService, installation: number, repo: RepoRef, ms: number, outOnGitHub = false): Promise<void> {
  // Only while some run of the repository is out on GitHub (the caller may know it already).
  if (!outOnGitHub && !(await service.records.listUnfinishedRuns(nameOf(repo))).some(({ tracking }) => tracking.dispatchRequestedAt !== null)) return;
  await enqueue(service, { task: 'follow-up-runs', queue: repositoryQueue(repo), key: followUpKey(repo), keepRunAt: true, runAt: new Date(Date.now() + ms), payload: { installation, repo } });
}

/** The next prune, a day from now, once across every replica (one pending job, by its key). */
export async function schedulePrune(service: SystemService, at = new Date(Date.now() + DAY_MS)): Promise<void> {
  await enqueue(service, { task: 'prune', queue: PRUNE_QUEUE, key: PRUNE_KEY, keepRunAt: true, runAt: at, payload: {} });
}

/** The drift check's next run, once across every replica (one pending job, by its key). */
export async function scheduleDrift(service: SystemService, repo: RepoRef, minutes: number): Promise<void> {
  await enqueue(service, { task: 'drift-check', queue: repositoryQueue(repo), key: driftKey(repo), keepRunAt: true, runAt: new Date(Date.now() + minutes * 60_000), payload: { repo: nameOf(repo) } });
}
