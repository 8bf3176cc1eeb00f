// The app's jobs: what each webhook becomes in the durable queue, typed, and the queue it goes to.
// Everything that changes the system or a run goes to its repository's queue (pushes, workflow runs,
// releases of held runs, drift, system changes), so those run one at a time and in order whichever
// replica takes them; a pull request's check and commands go to the pull request's own queue, so
// that pull requests are checked side by side while one pull request's events stay in order.
import type { RepoRef } from '../github/port.js';
import type { PushEvent } from '../flows/merge/apply-push.js';
import type { CommentEvent } from '../flows/review/commands.js';
import { parseCommand } from '../flows/review/commands.js';
import type { RunSelection } from '../flows/runs/advance-runs.js';
import type { WorkflowRunEvent } from '../flows/runs/follow-workflow-run.js';
import { runIdOfTitle } from '../runner/workflow.js';
import type { NewJob } from '../system/jobs/queue.js';

export interface JobPayloads {
  'check-pull-request': { installation: number; repo: RepoRef; number: number; headSha?: string };
  command: { installation: number; event: CommentEvent };
  'apply-push': { installation: number; event: PushEvent };
  'follow-workflow-run': { installation: number; event: WorkflowRunEvent };
  'release-runs': { installation: number; repo: RepoRef; which: RunSelection };
  /** The followed repository to compare with (its installation is read when the job runs); absent in jobs of earlier versions: all. */
  'drift-check': { repo?: string };
  /** Who changed the system, for which repository: an array, so that a burst of changes gathers into one job (bare names: jobs of earlier versions). */
  'sync-system-changes': ({ repo: string; actor: string } | string)[];
}

export type TaskName = keyof JobPayloads;
export const TASKS = ['check-pull-request', 'command', 'apply-push', 'follow-workflow-run', 'release-runs', 'drift-check', 'sync-system-changes'] as const satisfies readonly TaskName[];

export type Job<T extends TaskName = TaskName> = { [K in T]: Omit<NewJob, 'task' | 'payload'> & { task: K; payload: JobPayloads[K] } }[T];

/** OWNER/NAME. */
export const nameOf = (repo: RepoRef) => `${repo.owner}/${repo.repo}`;
/** OWNER/NAME as a RepoRef. */
export const repoRefOf = (name: string): RepoRef => {
  const [owner, repo] = name.split('/') as [string, string];
  return { owner, repo };
};
/** The queue of everything that changes the system or runs of a repository. */
export const repositoryQueue = (repo: RepoRef) => nameOf(repo);
/** The queue of one pull request's checks and commands. */
export const pullRequestQueue = (repo: RepoRef, number: number) => `${nameOf(repo)}#${number}`;

/** Keys that coalesce: one pending re-check per pull request, one pending drift check and one sync window per repository. */
export const recheckKey = (repo: RepoRef, number: number) => `recheck:${pullRequestQueue(repo, number)}`;
export const driftKey = (repo: RepoRef) => `drift-check:${nameOf(repo).toLowerCase()}`;
export const syncKey = (repo: RepoRef) => `sync-system-changes:${nameOf(repo).toLowerCase()}`;

/** What GitHub sends, as much of it as the jobs read. */
interface WebhookPayload {
  action?: string;
  installation?: { id: number };
  repository?: { name: string; owner: { login: string }; default_branch: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

/** Why a webhook is not worth a job, or the job it becomes and its repository (OWNER/NAME). */
export type Intake = { job: Job; repo: string } | { skip: string };

/**
 * The job a webhook becomes. Only what the job needs is kept (a push's commit list can be large);
 * what no job would act on is skipped here, without a write.
 */
export function jobOfWebhook(name: string, payload: WebhookPayload): Intake {
  const installation = payload.installation?.id;
  const repository = payload.repository;
  if (installation === undefined || !repository?.owner?.login || !repository.name) return { skip: `a ${name} event without an installation or a repository` };
  const repo: RepoRef = { owner: repository.owner.login, repo: repository.name };
  const action = payload.action;

  if (name === 'pull_request') {
    const checked = ['opened', 'reopened', 'synchronize', 'ready_for_review'].includes(action ?? '') || (action === 'edited' && payload.changes?.base);
    if (!checked) return { skip: `pull_request.${action} changes nothing envsync checks` };
    const number = Number(payload.number ?? payload.pull_request?.number);
    const headSha = payload.pull_request?.head?.sha as string | undefined;
    return { repo: nameOf(repo), job: { task: 'check-pull-request', queue: pullRequestQueue(repo, number), payload: { installation, repo, number, ...(headSha ? { headSha } : {}) } } };
  }
  if (name === 'check_run') {
    // "Re-run" on one of this app's checks: check the pull requests of that head again.
    if (action !== 'rerequested') return { skip: `check_run.${action} changes nothing envsync checks` };
    const number = payload.check_run?.pull_requests?.[0]?.number as number | undefined;
    if (number === undefined) return { skip: 'a re-run of a check of no pull request' };
    return { repo: nameOf(repo), job: { task: 'check-pull-request', queue: pullRequestQueue(repo, number), payload: { installation, repo, number } } };
  }
  if (name === 'issue_comment') {
    if (action !== 'created' || !payload.issue?.pull_request) return { skip: 'not a new comment on a pull request' };
    if (payload.comment?.user?.type === 'Bot') return { skip: 'a comment by a bot' };
    if (!parseCommand(String(payload.comment?.body ?? ''))) return { skip: 'a comment without a command' };
    const { comment, issue } = payload;
    const event: CommentEvent = {
      issue: { number: issue.number, pull_request: true },
      comment: { id: comment.id, body: comment.body, user: { login: comment.user.login, type: comment.user.type }, ...(comment.created_at ? { created_at: comment.created_at } : {}) },
      repository: { name: repo.repo, owner: { login: repo.owner } },
    };
    return { repo: nameOf(repo), job: { task: 'command', queue: pullRequestQueue(repo, issue.number), payload: { installation, event } } };
  }
  if (name === 'push') {
    if (!String(payload.ref ?? '').startsWith('refs/heads/') || payload.deleted) return { skip: 'not a branch update' };
    const event: PushEvent = {
      ref: payload.ref,
      after: payload.after,
      forced: payload.forced === true,
      deleted: false,
      repository: { name: repo.repo, owner: { login: repo.owner }, default_branch: repository.default_branch },
      sender: payload.sender ? { login: payload.sender.login } : null,
      installation: { id: installation },
    };
    return { repo: nameOf(repo), job: { task: 'apply-push', queue: repositoryQueue(repo), payload: { installation, event } } };
  }
  if (name === 'workflow_run') {
    if (!['requested', 'in_progress', 'completed'].includes(action ?? '')) return { skip: `workflow_run.${action}` };
    const run = payload.workflow_run;
    if (!runIdOfTitle(String(run?.display_title ?? ''))) return { skip: 'a workflow run envsync did not start' };
    const event: WorkflowRunEvent = {
      action: action!,
      workflow_run: { id: run.id, display_title: run.display_title, conclusion: run.conclusion ?? null, html_url: run.html_url },
      repository: { name: repo.repo, owner: { login: repo.owner } },
    };
    return { repo: nameOf(repo), job: { task: 'follow-workflow-run', queue: repositoryQueue(repo), payload: { installation, event } } };
  }
  return { skip: `envsync does not act on ${name} events` };
}
