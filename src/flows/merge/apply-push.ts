// A push to the sync branch: the system follows Git, forward only. The whole revision is applied
// (not only the pushed commits' files), so a missed webhook is caught up by the next push; a push
// older than what the system applied, or diverged from it, is recorded as stale and changes nothing,
// unless it is still the branch's head: then the history was rewritten (a force-push), and what the
// branch holds is the new desired state.
import { CONFIG_PATH, type ResolvedConfig } from '../../config/config.js';
import { approvalSubject, decisionsByGate, type GateDecision } from '../../engine/approvals.js';
import { DELETION_GATE, deletionsBetween, describeDeletions, type MassDeletion } from '../../engine/deletion.js';
import { desiredState } from '../../engine/desired.js';
import type { Comparison, GitHubPort, PullRequest, RepoRef } from '../../github/port.js';
import { approvalCheckName, deletionOutput } from '../../render/checks.js';
import { SystemError, type CheckedRevision, type SystemService } from '../../system/service.js';
import type { ApplyResult, ConfigRepository, PushRecord, Records } from '../../system/records.js';
import { configAt, overlapMessage, rootMessage, scopeOf } from '../config-repository.js';
import type { StartedRun } from '../runs/advance-runs.js';
import { startMergeRuns } from './start-runs.js';
import { Revisions } from '../revisions.js';

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

export async function applyPush(port: GitHubPort, service: SystemService, event: PushEvent, revisions = new Revisions()): Promise<PushOutcome> {
  if (!event.ref.startsWith('refs/heads/') || event.deleted) return { ignored: 'not a branch update' };
  const repo: RepoRef = { owner: event.repository.owner.login, repo: event.repository.name };
  const defaultBranch = event.repository.default_branch;
  const read = await readFollowed(port, service.records, repo, defaultBranch);
  if ('ignored' in read) return read;
  const { followed, config } = read;
  // The configuration of the default branch decides which branch is synced: a push cannot name its
  // own branch the sync branch (that would apply it without review).
  const branch = event.ref.slice('refs/heads/'.length);
  const syncBranch = config.branch ?? defaultBranch;
  if (branch !== syncBranch) return { ignored: `${branch} is not the sync branch (${syncBranch})` };
  // What drift checks and system changes need to reach the repository without an event.
  const installationId = event.installation?.id ?? followed.installationId;
  if (installationId !== followed.installationId || defaultBranch !== followed.defaultBranch) {
    await service.records.updateRepository(followed.repo, { installationId, defaultBranch });
  }
  return applySyncRevision(port, service, revisions, { repo, followed, config, branch, after: event.after, actor: event.sender?.login ?? null });
}

/**
 * The repository's latest push again, when it is held: called once the deletion gate of a merged
 * pull request is approved. Undefined when nothing is held.
 */
export async function applyHeldPush(port: GitHubPort, service: SystemService, repo: RepoRef, revisions = new Revisions()): Promise<PushOutcome | undefined> {
  const repoName = `${repo.owner}/${repo.repo}`;
  // The newest push that came to something: a late or redelivered older push (stale) says nothing of it.
  const latest = (await service.records.listPushes(repoName, 50)).find((p) => p.outcome === 'held' || p.outcome === 'applied' || p.outcome === 'invalid');
  if (latest?.outcome !== 'held') return undefined;
  const defaultBranch = (await service.records.getRepository(repoName))?.defaultBranch;
  if (!defaultBranch) return undefined;
  const read = await readFollowed(port, service.records, repo, defaultBranch);
  if ('ignored' in read) return read;
  return applySyncRevision(port, service, revisions, { ...read, repo, branch: read.config.branch ?? defaultBranch, after: latest.sha, actor: null });
}

/**
 * A followed repository and its valid configuration on the default branch; any other repository,
 * or one without the file, is ignored without a write. An invalid configuration is recorded.
 */
async function readFollowed(port: GitHubPort, records: Records, repo: RepoRef, defaultBranch: string): Promise<{ followed: ConfigRepository; config: ResolvedConfig } | { ignored: string }> {
  const repoName = `${repo.owner}/${repo.repo}`;
  const followed = await records.getRepository(repoName);
  if (!followed) return { ignored: `${repoName} is not a followed config repository (envsync system follow ${repoName})` };
  const { config, findings, text } = await configAt(port, repo, defaultBranch);
  if (text === undefined) return { ignored: `${repoName} has no ${CONFIG_PATH} on its default branch ${defaultBranch}` };
  if (findings.length > 0) return { ignored: `${CONFIG_PATH} is invalid: ${findings[0]!.message}` };
  return { followed, config };
}

/** A revision of the sync branch, applied forward only, validated, held when it deletes in bulk without approval. */
async function applySyncRevision(
  port: GitHubPort,
  service: SystemService,
  revisions: Revisions,
  input: { repo: RepoRef; followed: ConfigRepository; config: ResolvedConfig; branch: string; after: string; actor: string | null },
): Promise<PushOutcome> {
  const { repo, followed, config, branch, after } = input;
  const repoName = `${repo.owner}/${repo.repo}`;
  const records = service.records;
  const record = async (outcome: PushRecord['outcome'], detail: string): Promise<PushOutcome> => {
    await records.recordPush({ repo: repoName, sha: after, outcome, detail });
    return { ignored: detail, outcome };
  };

  // Forward only: a push is applied when it descends from what the system applied of this repository.
  const previous = followed.appliedRevision ?? undefined;
  if (previous === after) return { ignored: `revision ${after} is applied already` };
  let comparison: Comparison | undefined;
  let forced = false;
  if (previous !== undefined) {
    comparison = await compareOrDiverged(port, repo, previous, after);
    if (comparison.status !== 'ahead') {
      // History was rewritten (a force-push, this one or one whose push was lost or came late):
      // what the branch holds now is the desired state, and only that.
      const head = await port.getBranch(repo, branch);
      if (head?.sha !== after) {
        const relation = comparison.status === 'behind' ? 'older than' : comparison.status === 'identical' ? 'the same as' : 'diverged from';
        return record('stale', `revision ${after} is ${relation} the applied ${previous} and is not the head of ${branch}, so nothing was applied or run`);
      }
      forced = true;
    }
  }

  const contents = await revisions.read(port, repo, after, config.root, [previous]);
  const scope = await scopeOf(records, repoName, config);
  const notApplied = `revision ${after} of ${branch} was not applied and started no run`;
  if (scope.overlaps.length > 0) return record('invalid', `${notApplied}: ${CONFIG_PATH}: ${overlapMessage(scope.overlaps[0]!)}`);
  if (!contents.hasProjects) return record('invalid', `${notApplied}: ${CONFIG_PATH}: ${rootMessage(config.root)}`);
  // Checked once (a revision with errors starts nothing and is not applied); runs are started
  // before the revision is applied, against the system as it was: see startMergeRuns.
  let checked: CheckedRevision;
  try {
    checked = service.checkedRevision(await revisions.validate(contents), after);
  } catch (e) {
    // Not a failure of the app (a repeated job would fail the same way): the push is not applied,
    // and the record says where the revision is wrong.
    if (!(e instanceof SystemError)) throw e;
    const first = e.findings[0];
    const where = first ? `: ${first.file}:${first.line}:${first.column}: ${first.message}` : '';
    return record('invalid', `revision ${after} of ${branch} does not validate (${e.findings.length} error${e.findings.length === 1 ? '' : 's'}), so nothing was applied or run${where}; fix it in a new commit on ${branch}`);
  }

  const before = await service.snapshot();
  const merged = await mergedPullRequests(port, repo, after, forced ? undefined : comparison);
  const deletions = deletionsBetween(before, checked.loaded, scope.speaksFor, config.deletion.maxShare);
  if (deletions.length > 0) {
    const decisions = await deletionDecisions(records, repoName, merged);
    if (![...decisions.values()].some((d) => d?.decision === 'approve')) {
      await reportHold(port, repo, after, merged, deletions, decisions);
      return record('held', `${notApplied}: it ${describeDeletions(deletions)}; it waits for /approve ${DELETION_GATE} on ${merged.length > 0 ? merged.map((pr) => `#${pr.number}`).join(' or ') : 'the merged pull request'}`);
    }
    // Approved: a merge held before says, where it said so, that it is applied now.
    await reportRelease(port, repo, after, merged, deletions);
  }

  const runs = await startMergeRuns(port, records, {
    repo,
    branch,
    revision: after,
    before,
    after: desiredState(before, checked.loaded, scope.speaksFor, config.sensitive?.names),
    config,
    previousRevision: previous,
    approvals: merged.map((pr) => ({ number: pr.number, subject: approvalSubject(pr) })),
    trigger: (await isOwnPush(port, input.actor)) ? 'internal' : 'webhook',
    actor: input.actor,
  });
  // The repository's own credential names: kept for its runs' secrets, and applied as the declared ones are.
  const names = config.sensitive ? { sensitiveNames: config.sensitive.names } : {};
  const applied = await service.applyRevision(checked, after, { trigger: 'webhook', actor: input.actor }, { root: config.root, scope: scope.speaksFor, repo: repoName, projects: config.projects, runner: { ...config.runs, branch, ...names }, ...names });
  await records.recordPush({ repo: repoName, sha: after, outcome: 'applied', detail: forced ? 'applied (force-push: the branch was rewound or rewritten)' : 'applied' });
  return { applied, revision: after, runs, forced };
}

/** A push by the app itself: a system change it committed to the sync branch (delivery: commit). */
async function isOwnPush(port: GitHubPort, pusher: string | null): Promise<boolean> {
  if (!pusher?.endsWith('[bot]')) return false;
  return (await port.commitIdentity()).name === pusher;
}

const deletionList = (deletions: readonly MassDeletion[]) => deletions.map((d) => `- it ${d.reason}`).join('\n');

async function reportRelease(port: GitHubPort, repo: RepoRef, sha: string, merged: readonly PullRequest[], deletions: readonly MassDeletion[]): Promise<void> {
  for (const pr of merged) {
    if (!(await port.findComment(repo, pr.number, holdMarker))) continue;
    const body = `${holdMarker}\n### envsync: held merge applied\n\nThe merge \`${sha.slice(0, 7)}\` was held, then approved (\`/approve ${DELETION_GATE}\`) and applied:\n\n${deletionList(deletions)}\n\nIts runs are shown as deployments.\n`;
    await port.ensureComment(repo, pr.number, holdMarker, body);
  }
}

/** The latest decision on the deletion gate of each merged pull request (undefined: none yet), read once. */
async function deletionDecisions(records: Records, repoName: string, merged: readonly PullRequest[]): Promise<Map<number, GateDecision | undefined>> {
  const decisions = new Map<number, GateDecision | undefined>();
  for (const pr of merged) decisions.set(pr.number, decisionsByGate(await records.listApprovals(repoName, pr.number, approvalSubject(pr))).get(DELETION_GATE));
  return decisions;
}

const holdMarker = '<!-- envsync:deletion-hold -->';

/**
 * A held merge says so on its pull requests (there is no deployment to show it), and each gets its
 * deletion gate as a check to approve, unless someone decided on it already.
 */
async function reportHold(port: GitHubPort, repo: RepoRef, sha: string, merged: readonly PullRequest[], deletions: readonly MassDeletion[], decisions: Map<number, GateDecision | undefined>): Promise<void> {
  for (const pr of merged) {
    const body = `${holdMarker}\n### envsync: merge held, nothing deleted\n\nThe merge \`${sha.slice(0, 7)}\` was not applied to the system:\n\n${deletionList(deletions)}\n\nNothing was deleted or destroyed and no run started. If this is meant, comment \`/approve ${DELETION_GATE}\` here (someone with write access); the merge is then applied with its runs. If it is not, revert it in a new pull request.\n`;
    await port.ensureComment(repo, pr.number, holdMarker, body);
    if (decisions.get(pr.number) === undefined) {
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
