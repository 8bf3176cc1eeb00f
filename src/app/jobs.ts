// The app's jobs: what each webhook becomes in the durable queue, typed, and the queue it goes to.
// Everything that changes the system or a run goes to its repository's queue (pushes, workflow runs,
// releases of held runs, drift, system changes), so those run one at a time and in order whichever
// replica takes them; a pull request's check and commands go to the pull request's own queue, so
// that pull requests are checked side by side while one pull request's events stay in order.
import { nameOf, type RepoRef } from '../github/port.js';
import type { PushEvent } from '../flows/merge/apply-push.js';
import type { CommentEvent } from '../flows/review/commands.js';
import { parseCommand } from '../flows/review/commands.js';
import type { RunSelection } from '../flows/runs/advance-runs.js';
import type { WorkflowRunEvent } from '../flows/runs/follow-workflow-run.js';
import { runIdOfTitle } from '../runner/contract.js';
import { repositoryQueueOf, type NewJob } from '../system/jobs/queue.js';

export interface JobPayloads {
  'check-pull-request': { installation: number; repo: RepoRef; number: number; headSha?: string };
  command: { installation: number; event: CommentEvent };
  'apply-push': { installation: number; event: PushEvent };
  'follow-workflow-run': { installation: number; event: WorkflowRunEvent };
  'release-runs': { installation: number; repo: RepoRef; which: RunSelection };
  /** The followed repository to compare with (its installation is read when the job runs); absent in jobs of earlier versions: all. */
  'drift-check': { repo?: string };
  /** Asks GitHub about the repository's dispatched runs that have not reported (ENVSYNC_RUN_FOLLOW_UP_MINUTES). */
  'follow-up-runs': { installation: number; repo: RepoRef };
  /** Forgets bookkeeping older than the retention (ENVSYNC_RETENTION_DAYS). */
  prune: Record<string, never>;
  /** Who changed the system, for which repository: an array, so that a burst of changes gathers into one job (bare names: jobs of earlier versions). */
  'sync-system-changes': ({ repo: string; actor: string } | string)[];
}

export type TaskName = keyof JobPayloads;
export const TASKS = ['check-pull-request', 'command', 'apply-push', 'follow-workflow-run', 'release-runs', 'drift-check', 'sync-system-changes', 'follow-up-runs', 'prune'] as const satisfies readonly TaskName[];

export type Job<T extends TaskName = TaskName> = { [K in T]: Omit<NewJob, 'task' | 'payload'> & { task: K; payload: JobPayloads[K] } }[T];

export { nameOf, repoRefOf } from '../github/port.js';
/** The queue of everything that changes the system or runs of a repository. */
export const repositoryQueue = (repo: RepoRef) => repositoryQueueOf(nameOf(repo));
/** The queue of one pull request's checks and commands. */
export const pullRequestQueue = (repo: RepoRef, number: number) => `${repositoryQueue(repo)}#${number}`;

/** Keys that coalesce: one pending re-check per pull request, one pending drift check and one sync window per repository. */
export const recheckKey = (repo: RepoRef, number: number) => `recheck:${pullRequestQueue(repo, number)}`;
export const driftKey = (repo: RepoRef) => `drift-check:${nameOf(repo).toLowerCase()}`;
export const syncKey = (repo: RepoRef) => `sync-system-changes:${nameOf(repo).toLowerCase()}`;
/** The one pending follow-up of a repository's dispatched runs. */
export const followUpKey = (repo: RepoRef) => `follow-up-runs:${nameOf(repo).toLowerCase()}`;
/** The one pending prune job of the installation. */
export const PRUNE_KEY = 'prune';
/** Prune jobs go to a queue of their own: they touch no repository's runs or specs. */
export const PRUNE_QUEUE = 'prune';

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

/** A field that must be a positive integer (an id, a number). */
const int = (v: unknown): number | undefined => (Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : undefined);
/** A field that must be a string that is not empty. */
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The job a webhook becomes. Only what the job needs is kept (a push's commit list can be large);
 * what no job would act on is skipped here, without a write. A signed event whose fields are not
 * what GitHub documents is skipped as well, saying which field: never a job that fails later, and
 * never a 500 (GitHub would redeliver it in vain).
 */
export function jobOfWebhook(name: string, payload: WebhookPayload): Intake {
  const installation = int(payload.installation?.id);
  const repository = payload.repository;
  const [owner, repoName] = [str(repository?.owner?.login), str(repository?.name)];
  if (installation === undefined || owner === undefined || repoName === undefined) return { skip: `a ${name} event without an installation or a repository` };
  const repo: RepoRef = { owner, repo: repoName };
  const action = str(payload.action);
  const malformed = (field: string): Intake => ({ skip: `the ${name}${action ? `.${action}` : ''} event's ${field} is not what GitHub sends: ignored` });

  if (name === 'pull_request') {
    const checked = ['opened', 'reopened', 'synchronize', 'ready_for_review'].includes(action ?? '') || (action === 'edited' && payload.changes?.base);
    if (!checked) return { skip: `pull_request.${action} changes nothing envsync checks` };
    const number = int(payload.number ?? payload.pull_request?.number);
    if (number === undefined) return malformed('number');
    const headSha = payload.pull_request?.head?.sha as unknown;
    if (headSha !== undefined && str(headSha) === undefined) return malformed('pull_request.head.sha');
    return { repo: nameOf(repo), job: { task: 'check-pull-request', queue: pullRequestQueue(repo, number), payload: { installation, repo, number, ...(headSha ? { headSha: headSha as string } : {}) } } };
  }
  if (name === 'check_run' || name === 'check_suite') {
    // "Re-run" on one of this app's checks (check_run) or on all of them (check_suite, "Re-run all
    // checks"): check the pull request of that head again. GitHub sends these only to the app whose
    // checks they are.
    if (action !== 'rerequested') return { skip: `${name}.${action} changes nothing envsync checks` };
    const pulls = payload[name]?.pull_requests as unknown;
    if (!Array.isArray(pulls) || pulls.length === 0) return { skip: 'a re-run of a check of no pull request' };
    const number = int((pulls[0] as { number?: unknown } | null)?.number);
    if (number === undefined) return malformed(`${name}.pull_requests[0].number`);
    return { repo: nameOf(repo), job: { task: 'check-pull-request', queue: pullRequestQueue(repo, number), payload: { installation, repo, number } } };
  }
  if (name === 'issue_comment') {
    if (action !== 'created' || !payload.issue?.pull_request) return { skip: 'not a new comment on a pull request' };
    const { comment, issue } = payload;
    const [number, id, body, login, type] = [int(issue?.number), int(comment?.id), comment?.body as unknown, str(comment?.user?.login), str(comment?.user?.type)];
    if (typeof body !== 'string') return malformed('comment.body');
    if (type === 'Bot') return { skip: 'a comment by a bot' };
    if (!parseCommand(body)) return { skip: 'a comment without a command' };
    if (number === undefined) return malformed('issue.number');
    if (id === undefined) return malformed('comment.id');
    if (login === undefined || type === undefined) return malformed('comment.user');
    const createdAt = str(comment.created_at);
    const event: CommentEvent = {
      issue: { number, pull_request: true },
      comment: { id, body, user: { login, type }, ...(createdAt ? { created_at: createdAt } : {}) },
      repository: { name: repo.repo, owner: { login: repo.owner } },
    };
    return { repo: nameOf(repo), job: { task: 'command', queue: pullRequestQueue(repo, number), payload: { installation, event } } };
  }
  if (name === 'push') {
    const ref = str(payload.ref);
    if (!ref?.startsWith('refs/heads/') || payload.deleted) return { skip: 'not a branch update' };
    const after = str(payload.after);
    if (after === undefined || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(after)) return malformed('after');
    const defaultBranch = str(repository?.default_branch);
    if (defaultBranch === undefined) return malformed('repository.default_branch');
    const sender = str(payload.sender?.login);
    const event: PushEvent = {
      ref,
      after,
      forced: payload.forced === true,
      deleted: false,
      repository: { name: repo.repo, owner: { login: repo.owner }, default_branch: defaultBranch },
      sender: sender ? { login: sender } : null,
      installation: { id: installation },
    };
    return { repo: nameOf(repo), job: { task: 'apply-push', queue: repositoryQueue(repo), payload: { installation, event } } };
  }
  if (name === 'workflow_run') {
    if (!['requested', 'in_progress', 'completed'].includes(action ?? '')) return { skip: `workflow_run.${action}` };
    const run = payload.workflow_run;
    const title = str(run?.display_title);
    if (!title || !runIdOfTitle(title)) return { skip: 'a workflow run envsync did not start' };
    const [id, htmlUrl, conclusion] = [int(run.id), str(run.html_url), run.conclusion as unknown];
    if (id === undefined) return malformed('workflow_run.id');
    if (htmlUrl === undefined) return malformed('workflow_run.html_url');
    if (conclusion != null && typeof conclusion !== 'string') return malformed('workflow_run.conclusion');
    const event: WorkflowRunEvent = {
      action: action!,
      workflow_run: { id, display_title: title, conclusion: (conclusion as string | null | undefined) ?? null, html_url: htmlUrl },
      repository: { name: repo.repo, owner: { login: repo.owner } },
    };
    return { repo: nameOf(repo), job: { task: 'follow-workflow-run', queue: repositoryQueue(repo), payload: { installation, event } } };
  }
  return { skip: `envsync does not act on ${name} events` };
}
