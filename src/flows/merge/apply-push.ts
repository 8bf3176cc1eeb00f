// A push to the sync branch: the system follows Git, forward only. The whole revision is applied
// (not only the pushed commits' files), so a missed webhook is caught up by the next push; a push
// older than what the system applied, or diverged from it, is recorded as stale and changes nothing,
// unless it is still the branch's head: then the history was rewritten (a force-push), and what the
// branch holds is the new desired state.
import { CONFIG_PATH, parseRepositoryConfig, syncs } from '../../config/config.js';
import { approvalSubject } from '../../engine/approvals.js';
import type { Comparison, GitHubPort, PullRequest, RepoRef } from '../../github/port.js';
import { filesFromTarball } from '../../github/tarball.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../specs/parse.js';
import { SystemError, type CheckedRevision, type SystemService } from '../../system/service.js';
import type { ApplyResult, ApprovalSource, PushRecord } from '../../system/store.js';
import type { StartedRun } from '../runs/advance-runs.js';
import { startMergeRuns } from './start-runs.js';
import { CONFIG_REPOSITORY_SETTING } from '../review/check-pull-request.js';

export const INSTALLATION_SETTING = 'installation-id';
export const DEFAULT_BRANCH_SETTING = 'default-branch';

export interface PushEvent {
  ref: string;
  after: string;
  /** A force-push: the branch may have moved back or sideways. */
  forced?: boolean;
  deleted: boolean;
  repository: { name: string; owner: { login: string }; default_branch: string };
  sender?: { login: string } | null;
  installation?: { id: number };
}

export type PushOutcome = { applied: ApplyResult; revision: string; runs: StartedRun[]; forced: boolean } | { ignored: string; outcome?: PushRecord['outcome'] };

/** Merges of one push whose pull requests are looked up for approvals; more are rare and cost a request each. */
const MAX_MERGES_LOOKED_UP = 20;

export async function applyPush(port: GitHubPort, service: SystemService, event: PushEvent): Promise<PushOutcome> {
  if (!event.ref.startsWith('refs/heads/') || event.deleted) return { ignored: 'not a branch update' };
  const repo: RepoRef = { owner: event.repository.owner.login, repo: event.repository.name };
  const repoName = `${repo.owner}/${repo.repo}`;
  const branch = event.ref.slice('refs/heads/'.length);
  const store = service.store;
  const record = async (outcome: PushRecord['outcome'], detail: string): Promise<PushOutcome> => {
    await store.recordPush({ repo: repoName, sha: event.after, outcome, detail });
    return { ignored: detail, outcome };
  };
  // The configuration of the default branch decides which branch is synced: a push cannot name its
  // own branch the sync branch (that would apply it without review).
  const { config, findings } = parseRepositoryConfig(await port.getFile(repo, CONFIG_PATH, event.repository.default_branch));
  const syncBranch = config.branch ?? event.repository.default_branch;
  if (branch !== syncBranch) return { ignored: `${branch} is not the sync branch (${syncBranch})` };
  if (findings.length > 0) return record('ignored', `${CONFIG_PATH} is invalid: ${findings[0]!.message}`);

  // Forward only: a push is applied when it descends from what the system applied.
  const previous = await store.getAppliedRevision();
  if (previous === event.after) return { ignored: `revision ${event.after} is applied already` };
  let comparison: Comparison | undefined;
  let forced = false;
  if (previous !== undefined) {
    comparison = await compareOrDiverged(port, repo, previous, event.after);
    if (comparison.status !== 'ahead') {
      // History was rewritten (a force-push, this one or one whose push was lost or came late):
      // what the branch holds now is the desired state, and only that.
      const head = await port.getBranch(repo, branch);
      if (head?.sha !== event.after) {
        const relation = comparison.status === 'behind' ? 'older than' : comparison.status === 'identical' ? 'the same as' : 'diverged from';
        return record('stale', `revision ${event.after} is ${relation} the applied ${previous} and is not the head of ${branch}, so nothing was applied or run`);
      }
      forced = true;
    }
  }

  const files = await filesFromTarball(await port.getTarball(repo, event.after), { root: config.root, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
  // Checked once (a revision with errors starts nothing and is not applied); runs are started
  // before the revision is applied, against the system as it was: see startMergeRuns.
  let checked: CheckedRevision;
  try {
    checked = service.checkRevision(files, event.after, config.root);
  } catch (e) {
    // Not a failure of the app (a repeated job would fail the same way): the push is not applied,
    // and the record says where the revision is wrong.
    if (!(e instanceof SystemError)) throw e;
    const first = e.findings[0];
    const where = first ? `: ${first.file}:${first.line}:${first.column}: ${first.message}` : '';
    return record('invalid', `revision ${event.after} of ${branch} does not validate (${e.findings.length} error${e.findings.length === 1 ? '' : 's'}), so nothing was applied or run${where}; fix it in a new commit on ${branch}`);
  }
  // The repository the system follows: what the drift check and changes made outside Git go to.
  await store.setSetting(CONFIG_REPOSITORY_SETTING, repoName);
  await store.setSetting(DEFAULT_BRANCH_SETTING, event.repository.default_branch);
  if (event.installation) await store.setSetting(INSTALLATION_SETTING, String(event.installation.id));

  const runs = await startMergeRuns(port, store, {
    repo,
    branch,
    revision: event.after,
    before: await service.snapshot(),
    after: checked,
    config,
    previousRevision: previous,
    approvals: await approvalSources(port, repo, event.after, forced ? undefined : comparison),
  });
  const applied = await service.applyRevision(
    checked,
    event.after,
    { trigger: 'webhook', actor: event.sender?.login ?? null },
    { root: config.root, scope: (kind, project) => syncs(config, project, kind, 'git-to-system') },
  );
  await store.recordPush({ repo: repoName, sha: event.after, outcome: 'applied', detail: forced ? 'applied (force-push: the branch was rewound or rewritten)' : 'applied' });
  return { applied, revision: event.after, runs, forced };
}

/** How `head` relates to `base`; diverged when GitHub knows `base` no more (the history was rewritten and collected). */
async function compareOrDiverged(port: GitHubPort, repo: RepoRef, base: string, head: string): Promise<Comparison> {
  try {
    return await port.compareCommits(repo, base, head);
  } catch (e) {
    if ((e as { status?: number }).status === 404) return { status: 'diverged', commits: [] };
    throw e;
  }
}

/**
 * The merged pull requests whose approvals count for this push's runs: the one that made `after`,
 * and when the push brings several merges at once (a late or missed push), each of theirs.
 */
async function approvalSources(port: GitHubPort, repo: RepoRef, after: string, comparison: Comparison | undefined): Promise<ApprovalSource[]> {
  const merges = comparison?.commits.filter((c) => c.parents.length > 1 && c.sha !== after).map((c) => c.sha) ?? [];
  const shas = [...merges.slice(-(MAX_MERGES_LOOKED_UP - 1)), after];
  const found = new Map<number, PullRequest>();
  for (const sha of shas) {
    for (const pr of await port.pullRequestsOfCommit(repo, sha)) {
      if (pr.state === 'closed' && pr.mergeCommitSha === sha) found.set(pr.number, pr);
    }
  }
  return [...found.values()].sort((a, b) => a.number - b.number).map((pr) => ({ number: pr.number, subject: approvalSubject(pr) }));
}
