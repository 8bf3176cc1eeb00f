// Runs one job: a GitHub client for its installation, then the flow its task names. Jobs that start
// other jobs (a /plan re-check, the release of held runs) add them to the queue they belong to.
import type { GitHubPort, RepoRef } from '../github/port.js';
import { applyPush } from '../flows/merge/apply-push.js';
import { DEFAULT_BRANCH_SETTING, INSTALLATION_SETTING } from '../flows/merge/apply-push.js';
import { checkPullRequest, CONFIG_REPOSITORY_SETTING } from '../flows/review/check-pull-request.js';
import { handleCommand } from '../flows/review/commands.js';
import { advanceRuns } from '../flows/runs/advance-runs.js';
import { followWorkflowRun } from '../flows/runs/follow-workflow-run.js';
import { checkDrift } from '../flows/sync/drift.js';
import { exportSystemChanges } from '../flows/sync/system-changes.js';
import type { RunningJob } from '../system/jobs/queue.js';
import type { SystemService } from '../system/service.js';
import { DRIFT_KEY, pullRequestQueue, recheckKey, repositoryQueue, type Job, type JobPayloads, type TaskName } from './jobs.js';

export interface WorkerContext {
  service: SystemService;
  /** A GitHub port authenticated as the app's installation. */
  portFor(installation: number): Promise<GitHubPort>;
  log: { info(fields: object, message: string): void; debug(fields: object, message: string): void };
  /** Minutes between drift checks; 0: none. */
  driftMinutes: number;
}

/** The repository the system follows and the installation that reaches it, once a revision was applied. */
export async function followedRepository(service: SystemService): Promise<{ repo: RepoRef; installation: number; defaultBranch: string } | undefined> {
  const [name, installation] = [await service.store.getSetting(CONFIG_REPOSITORY_SETTING), await service.store.getSetting(INSTALLATION_SETTING)];
  if (!name || !installation) return undefined;
  const [owner, repo] = name.split('/') as [string, string];
  return { repo: { owner, repo }, installation: Number(installation), defaultBranch: (await service.store.getSetting(DEFAULT_BRANCH_SETTING)) ?? 'main' };
}

/** Adds a job to the store's queue. */
export const enqueue = (service: SystemService, job: Job) => service.store.jobs.add(job);

export function createWorker(context: WorkerContext): (job: RunningJob) => Promise<void> {
  const { service, log } = context;
  const store = service.store;

  const tasks: { [K in TaskName]: (payload: JobPayloads[K], job: RunningJob) => Promise<object> } = {
    'check-pull-request': async ({ installation, repo, number, headSha }) =>
      checkPullRequest(await context.portFor(installation), service, store, { number, repository: { name: repo.repo, owner: { login: repo.owner } }, ...(headSha ? { pull_request: { head: { sha: headSha } } } : {}) }),

    command: async ({ installation, event }) => {
      const repo: RepoRef = { owner: event.repository.owner.login, repo: event.repository.name };
      return handleCommand(await context.portFor(installation), store, event, {
        replan: () => enqueue(service, { task: 'check-pull-request', queue: pullRequestQueue(repo, event.issue.number), key: recheckKey(repo, event.issue.number), payload: { installation, repo, number: event.issue.number } }),
        releaseRuns: (pullRequest) => enqueue(service, { task: 'release-runs', queue: repositoryQueue(repo), payload: { installation, repo, which: { pullRequest } } }),
      });
    },

    'apply-push': async ({ installation, event }) => {
      const outcome = await applyPush(await context.portFor(installation), service, event);
      if ('applied' in outcome) {
        if (context.driftMinutes > 0) await scheduleDrift(service, { owner: event.repository.owner.login, repo: event.repository.name }, context.driftMinutes);
        const { created, updated, deleted } = outcome.applied;
        log.info({ repo: `${event.repository.owner.login}/${event.repository.name}`, revision: outcome.revision, forced: outcome.forced, created: created.length, updated: updated.length, deleted: deleted.length, runs: outcome.runs.length }, 'revision applied to the system');
        return { revision: outcome.revision, runs: outcome.runs.length };
      }
      return outcome;
    },

    'follow-workflow-run': async ({ installation, event }) => followWorkflowRun(await context.portFor(installation), store, event),

    'release-runs': async ({ installation, repo, which }) => ({ released: (await advanceRuns(await context.portFor(installation), store, repo, which)).length }),

    'drift-check': async () => {
      const followed = await followedRepository(service);
      // The next check is due from now, whatever this one's outcome (a failure is retried on its own).
      if (context.driftMinutes > 0 && followed) await scheduleDrift(service, followed.repo, context.driftMinutes);
      if (!followed) return { skipped: 'no repository applied yet: nothing to compare with' };
      return checkDrift(await context.portFor(followed.installation), service, followed.repo, followed.defaultBranch);
    },

    'sync-system-changes': async (actors) => {
      const followed = await followedRepository(service);
      if (!followed) return { skipped: 'no repository applied yet' };
      const delivered = await exportSystemChanges(await context.portFor(followed.installation), service, followed.repo, followed.defaultBranch, [...new Set(actors)]);
      return { changes: actors.length, delivered: delivered.map((d) => d.outcome) };
    },
  };

  return async (job) => {
    const run = tasks[job.task as TaskName] as (payload: unknown, job: RunningJob) => Promise<object>;
    if (!run) throw new Error(`no task "${job.task}"`);
    log.debug({ job: job.id, task: job.task, attempt: job.attempt }, 'job started');
    const outcome = await run(job.payload, job);
    log.info({ job: job.id, task: job.task, attempt: job.attempt, ...outcome }, `job done: ${job.task}`);
  };
}

/** The drift check's next run, once across every replica (one pending job, by its key). */
export async function scheduleDrift(service: SystemService, repo: RepoRef, minutes: number): Promise<void> {
  await enqueue(service, { task: 'drift-check', queue: repositoryQueue(repo), key: DRIFT_KEY, keepRunAt: true, runAt: new Date(Date.now() + minutes * 60_000), payload: {} });
}
