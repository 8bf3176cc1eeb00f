// A push to the sync branch: the system follows Git, forward only. The whole revision is applied
// (not only the pushed commits' files), so a missed webhook is caught up by the next push; a push
// older than what the system applied, or diverged from it, is recorded as stale and changes nothing,
// unless it is still the branch's head: then the history was rewritten (a force-push), and what the
// branch holds is the new desired state.
import { CONFIG_PATH, parseRepositoryConfig } from '../../config/config.js';
import { approvalSubject, decisionsByGate } from '../../engine/approvals.js';
import { DELETION_GATE, massDeletions, type MassDeletion } from '../../engine/deletion.js';
import { desiredState, inScope } from '../../engine/desired.js';
import type { Comparison, GitHubPort, PullRequest, RepoRef } from '../../github/port.js';
import { readRevision } from '../../github/tarball.js';
import { approvalCheckName, deletionOutput } from '../../render/checks.js';
import { layoutRoot } from '../../specs/layout.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../specs/parse.js';
import { SystemError, type CheckedRevision, type SystemService } from '../../system/service.js';
import type { ApplyResult, PushRecord, Store } from '../../system/store.js';
import { overlapMessage, rootMessage, scopeOf } from '../config-repository.js';
import type { StartedRun } from '../runs/advance-runs.js';
import { startMergeRuns } from './start-runs.js';

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
  // Only a repository the operator follows, and whose default branch holds the configuration, is
  // a config repository: any other push writes nothing at all.
  const followed = await store.getRepository(repoName);
  if (!followed) return { ignored: `${repoName} is not a followed config repository (envsync system follow ${repoName})` };
  const configText = await port.getFile(repo, CONFIG_PATH, event.repository.default_branch);
  if (configText === undefined) return { ignored: `${repoName} has no ${CONFIG_PATH} on its default branch ${event.repository.default_branch}` };
  const record = async (outcome: PushRecord['outcome'], detail: string): Promise<PushOutcome> => {
    await store.recordPush({ repo: repoName, sha: event.after, outcome, detail });
    return { ignored: detail, outcome };
  };
  // The configuration of the default branch decides which branch is synced: a push cannot name its
  // own branch the sync branch (that would apply it without review).
  const { config, findings } = parseRepositoryConfig(configText);
  const syncBranch = config.branch ?? event.repository.default_branch;
  if (branch !== syncBranch) return { ignored: `${branch} is not the sync branch (${syncBranch})` };
  if (findings.length > 0) return record('ignored', `${CONFIG_PATH} is invalid: ${findings[0]!.message}`);
  // What drift checks and system changes need to reach the repository without an event.
  const installationId = event.installation?.id ?? followed.installationId;
  if (installationId !== followed.installationId || event.repository.default_branch !== followed.defaultBranch) {
    await store.updateRepository(repoName, { installationId, defaultBranch: event.repository.default_branch });
  }

  // Forward only: a push is applied when it descends from what the system applied of this repository.
  const previous = followed.appliedRevision ?? undefined;
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

  const contents = await readRevision(await port.getTarball(repo, event.after), { root: config.root, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
  const scope = await scopeOf(store, repoName, config);
  const notApplied = `revision ${event.after} of ${branch} was not applied and started no run`;
  if (scope.overlaps.length > 0) return record('invalid', `${notApplied}: ${CONFIG_PATH}: ${overlapMessage(repoName, scope.overlaps[0]!)}`);
  if (!contents.layoutRoots.has(layoutRoot(config.root))) return record('invalid', `${notApplied}: ${CONFIG_PATH}: ${rootMessage(config.root)}`);
  // Checked once (a revision with errors starts nothing and is not applied); runs are started
  // before the revision is applied, against the system as it was: see startMergeRuns.
  let checked: CheckedRevision;
  try {
    checked = service.checkRevision(contents.files, event.after, config.root);
  } catch (e) {
    // Not a failure of the app (a repeated job would fail the same way): the push is not applied,
    // and the record says where the revision is wrong.
    if (!(e instanceof SystemError)) throw e;
    const first = e.findings[0];
    const where = first ? `: ${first.file}:${first.line}:${first.column}: ${first.message}` : '';
    return record('invalid', `revision ${event.after} of ${branch} does not validate (${e.findings.length} error${e.findings.length === 1 ? '' : 's'}), so nothing was applied or run${where}; fix it in a new commit on ${branch}`);
  }

  const before = await service.snapshot();
  const merged = await mergedPullRequests(port, repo, event.after, forced ? undefined : comparison);
  const deletions = massDeletions(inScope(before, scope.speaksFor), inScope(checked.loaded, scope.speaksFor), config.deletion.maxShare);
  if (deletions.length > 0 && !(await deletionApproved(store, repoName, merged))) {
    await reportHold(port, store, repo, event.after, merged, deletions);
    return record('held', `${notApplied}: it ${deletions.map((d) => d.reason).join('; ')}; it waits for /approve ${DELETION_GATE} on ${merged.length > 0 ? merged.map((pr) => `#${pr.number}`).join(' or ') : 'the merged pull request'}`);
  }

  // Approved: a merge held before says, where it said so, that it is applied now.
  if (deletions.length > 0) await reportRelease(port, repo, event.after, merged, deletions);
  const runs = await startMergeRuns(port, store, {
    repo,
    branch,
    revision: event.after,
    before,
    after: desiredState(before, checked.loaded, scope.speaksFor),
    config,
    previousRevision: previous,
    approvals: merged.map((pr) => ({ number: pr.number, subject: approvalSubject(pr) })),
  });
  const applied = await service.applyRevision(checked, event.after, { trigger: 'webhook', actor: event.sender?.login ?? null }, { root: config.root, scope: scope.speaksFor, repo: repoName, projects: config.projects });
  await store.recordPush({ repo: repoName, sha: event.after, outcome: 'applied', detail: forced ? 'applied (force-push: the branch was rewound or rewritten)' : 'applied' });
  return { applied, revision: event.after, runs, forced };
}

/**
 * The repository's latest push again, when it is held: called once the deletion gate of a merged
 * pull request is approved. Undefined when nothing is held.
 */
export async function applyHeldPush(port: GitHubPort, service: SystemService, repo: RepoRef, installation: number): Promise<PushOutcome | undefined> {
  const repoName = `${repo.owner}/${repo.repo}`;
  // The newest push that came to something: a late or redelivered older push (stale) says nothing of it.
  const latest = (await service.store.listPushes(repoName, 50)).find((p) => p.outcome === 'held' || p.outcome === 'applied' || p.outcome === 'invalid');
  const followed = await service.store.getRepository(repoName);
  if (latest?.outcome !== 'held' || !followed?.defaultBranch) return undefined;
  const { config } = parseRepositoryConfig(await port.getFile(repo, CONFIG_PATH, followed.defaultBranch));
  return applyPush(port, service, {
    ref: `refs/heads/${config.branch ?? followed.defaultBranch}`,
    after: latest.sha,
    deleted: false,
    repository: { name: repo.repo, owner: { login: repo.owner }, default_branch: followed.defaultBranch },
    installation: { id: installation },
  });
}

async function reportRelease(port: GitHubPort, repo: RepoRef, sha: string, merged: readonly PullRequest[], deletions: readonly MassDeletion[]): Promise<void> {
  for (const pr of merged) {
    if (!(await port.findComment(repo, pr.number, holdMarker))) continue;
    const body = `${holdMarker}\n### envsync: held merge applied\n\nThe merge \`${sha.slice(0, 7)}\` was held, then approved (\`/approve ${DELETION_GATE}\`) and applied:\n\n${deletions.map((d) => `- it ${d.reason}`).join('\n')}\n\nIts runs are shown as deployments.\n`;
    await port.ensureComment(repo, pr.number, holdMarker, body);
  }
}

/** Whether the latest decision on the deletion gate, on one of the merged pull requests, approves. */
async function deletionApproved(store: Store, repoName: string, merged: readonly PullRequest[]): Promise<boolean> {
  for (const pr of merged) {
    const decision = decisionsByGate(await store.listApprovals(repoName, pr.number, approvalSubject(pr))).get(DELETION_GATE);
    if (decision?.decision === 'approve') return true;
  }
  return false;
}

const holdMarker = '<!-- envsync:deletion-hold -->';

/**
 * A held merge says so on its pull requests (there is no deployment to show it), and each gets its
 * deletion gate as a check to approve, unless someone decided on it already.
 */
async function reportHold(port: GitHubPort, store: Store, repo: RepoRef, sha: string, merged: readonly PullRequest[], deletions: readonly MassDeletion[]): Promise<void> {
  for (const pr of merged) {
    const body = `${holdMarker}\n### envsync: merge held, nothing deleted\n\nThe merge \`${sha.slice(0, 7)}\` was not applied to the system:\n\n${deletions.map((d) => `- it ${d.reason}`).join('\n')}\n\nNothing was deleted or destroyed and no run started. If this is meant, comment \`/approve ${DELETION_GATE}\` here (someone with write access); the merge is then applied with its runs. If it is not, revert it in a new pull request.\n`;
    await port.ensureComment(repo, pr.number, holdMarker, body);
    const decided = decisionsByGate(await store.listApprovals(`${repo.owner}/${repo.repo}`, pr.number, approvalSubject(pr))).has(DELETION_GATE);
    if (!decided) {
      await port.ensureCheckRuns(repo, pr.headSha, [
        { name: approvalCheckName(DELETION_GATE), headSha: pr.headSha, status: 'queued', output: deletionOutput(deletions) },
      ]);
    }
  }
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
async function mergedPullRequests(port: GitHubPort, repo: RepoRef, after: string, comparison: Comparison | undefined): Promise<PullRequest[]> {
  const merges = comparison?.commits.filter((c) => c.parents.length > 1 && c.sha !== after).map((c) => c.sha) ?? [];
  const shas = [...merges.slice(-(MAX_MERGES_LOOKED_UP - 1)), after];
  const found = new Map<number, PullRequest>();
  for (const sha of shas) {
    for (const pr of await port.pullRequestsOfCommit(repo, sha)) {
      if (pr.state === 'closed' && pr.mergeCommitSha === sha) found.set(pr.number, pr);
    }
  }
  return [...found.values()].sort((a, b) => a.number - b.number);
}
