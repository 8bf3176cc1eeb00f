// Releasing runs: each waiting run of a repository whose gates are approved and whose dependencies
// succeeded is dispatched to the runner workflow; one whose dependency failed is marked not run; the
// others say on their deployment what they wait for. Called after a merge, after /approve on a merged
// pull request, and after a run finishes, always in the repository's job queue, so that two releases
// of one run never race.
import { decisionsByGate } from '../../engine/approvals.js';
import type { GitHubPort, PullRequest, RepoRef } from '../../github/port.js';
import { runNameSuffix } from '../../runner/workflow.js';
import type { ApprovalRecord, RunAction, RunRecord, RunTracking, Store } from '../../system/store.js';

export interface StartedRun {
  id: string;
  environment: string;
  action: RunAction;
  /** Dispatched to a runner, not run (an environment it depends on failed), or why it waits. */
  state: 'dispatched' | { notRun: string } | { waitingFor: string };
}

/** Which waiting runs to look at: those of one merge, or those honouring one pull request's approvals. */
export type RunSelection = { revision: string } | { pullRequest: number };

/**
 * How far back a workflow run is looked for when a dispatch's answer was lost: GitHub's clock and
 * ours may differ a little.
 */
const CLOCK_SLACK_MS = 5 * 60_000;

export async function advanceRuns(port: GitHubPort, store: Store, repo: RepoRef, which: RunSelection): Promise<StartedRun[]> {
  const repoName = `${repo.owner}/${repo.repo}`;
  const open = (await store.listOpenRuns(repoName)).filter(({ run, tracking }) =>
    'revision' in which ? run.revision === which.revision : tracking.dispatch.approvals.some((a) => a.number === which.pullRequest),
  );
  if (open.length === 0) return [];
  open.sort((a, b) => a.tracking.dispatch.order - b.tracking.dispatch.order);
  const decisions = await decisionsOf(store, repoName, open);
  const started: StartedRun[] = [];

  for (const { run, tracking } of open) {
    const { dispatch } = tracking;
    const base = { id: run.id, environment: dispatch.environment, action: dispatch.action };
    const deployment = tracking.deploymentId;
    const tell = async (state: 'queued' | 'error', description: string, logUrl?: string) => {
      if (deployment !== null) await port.ensureDeploymentStatus(repo, deployment, { state, description, ...(logUrl ? { logUrl } : {}) });
    };
    const dispatched = () => tell('queued', `dispatched to ${dispatch.workflow}`, port.webUrl(`${repoName}/actions/workflows/${dispatch.workflow}`));
    if (tracking.dispatchedAt !== null) {
      // Dispatched, and not started yet (a started run is no longer open): its deployment says so,
      // also when an earlier attempt died between the dispatch and the status.
      await dispatched();
      started.push({ ...base, state: 'dispatched' });
      continue;
    }
    const before = await Promise.all(dispatch.after.map(async (dep) => ({ dep, run: await store.getRun(dep) })));
    const failed = before.find((b) => b.run && ['failure', 'cancelled'].includes(b.run.status));
    if (failed) {
      const why = `${failed.run!.project}/${failed.run!.environment} did not succeed`;
      await store.updateRun(run.id, { status: 'cancelled', finishedAt: new Date().toISOString() });
      await tell('error', `not run: ${why}`);
      started.push({ ...base, state: { notRun: why } });
      continue;
    }
    const gateDecisions = decisions.get(run.id)!;
    const unapproved = dispatch.gates.filter((gate) => gateDecisions.get(gate)?.decision !== 'approve');
    const running = before.filter((b) => b.run?.status !== 'success').map((b) => (b.run ? `${b.run.project}/${b.run.environment}` : b.dep));
    const where = dispatch.approvals.length > 0 ? dispatch.approvals.map((a) => `#${a.number}`).join(' or ') : 'the merged pull request';
    const waitingFor =
      unapproved.length > 0
        ? `approval of ${unapproved.join(', ')}: /approve on ${where}`
        : running.length > 0
          ? `the runs of ${running.join(', ')}`
          : dispatch.sha === undefined
            ? 'a revision that still has the environment (the system has applied none)'
            : undefined;
    if (waitingFor) {
      await tell('queued', `waiting for ${waitingFor}`);
      started.push({ ...base, state: { waitingFor } });
      continue;
    }
    await dispatchOnce(port, store, repo, run, tracking);
    await dispatched();
    started.push({ ...base, state: 'dispatched' });
  }
  return started;
}

/**
 * Dispatches a run's workflow exactly once as far as this app can tell: the intent is recorded first,
 * so a job resumed after a crash looks for the workflow run the lost dispatch started before it
 * dispatches again (and a duplicate that still slips through is cancelled when it reports in).
 */
async function dispatchOnce(port: GitHubPort, store: Store, repo: RepoRef, run: RunRecord, tracking: RunTracking): Promise<void> {
  const { dispatch } = tracking;
  if (tracking.dispatchRequestedAt !== null) {
    const since = new Date(Date.parse(tracking.dispatchRequestedAt) - CLOCK_SLACK_MS).toISOString();
    const found = await port.findWorkflowRun(repo, dispatch.workflow, runNameSuffix(run.id), since);
    if (found) {
      await store.updateTracking(run.id, { dispatchedAt: new Date().toISOString(), workflowRunId: tracking.workflowRunId ?? found.id });
      return;
    }
  } else {
    await store.updateTracking(run.id, { dispatchRequestedAt: new Date().toISOString() });
  }
  await store.updateRun(run.id, { status: 'queued' });
  await port.dispatchWorkflow(repo, dispatch.workflow, dispatch.branch, {
    environment: dispatch.environment,
    action: dispatch.action,
    sha: dispatch.sha!,
    approved: dispatch.gates.join(','),
    'runs-on': JSON.stringify(dispatch.labels),
    'run-id': run.id,
  });
  await store.updateTracking(run.id, { dispatchedAt: new Date().toISOString() });
}

/** For each run, the latest decision on each gate across the merged pull requests it honours. */
async function decisionsOf(store: Store, repoName: string, runs: { run: RunRecord; tracking: RunTracking }[]): Promise<Map<string, Map<string, ApprovalRecord>>> {
  const cache = new Map<string, ApprovalRecord[]>();
  const out = new Map<string, Map<string, ApprovalRecord>>();
  for (const { run, tracking } of runs) {
    const all: ApprovalRecord[] = [];
    for (const source of tracking.dispatch.approvals) {
      const key = `${source.number}\u0000${source.subject}`;
      if (!cache.has(key)) cache.set(key, await store.listApprovals(repoName, source.number, source.subject));
      all.push(...cache.get(key)!);
    }
    out.set(run.id, decisionsByGate(all));
  }
  return out;
}

/** The pull request a merge commit merged (closed), if it came from one. */
export async function mergedPullRequest(port: GitHubPort, repo: RepoRef, sha: string): Promise<PullRequest | undefined> {
  return (await port.pullRequestsOfCommit(repo, sha)).find((pr) => pr.state === 'closed');
}
