// Runs handed to GitHub whose report never came. A run is followed through `workflow_run` events,
// and envsync's queue keeps the next run of its environment waiting until it finishes; GitHub does
// not redeliver a webhook it could not deliver (the app was down, the network failed), so without
// this an environment could wait for good. Every few minutes the app asks GitHub about the runs it
// dispatched that have not finished: a completed workflow run is recorded as its event would have
// been, and a dispatch GitHub made no workflow run for, hours later, is recorded as failed.
import type { GitHubPort, RepoRef, WorkflowRunState } from '../../github/port.js';
import type { RunRecord, RunTracking, Records } from '../../system/records.js';
import { advanceRuns, workflowRunOfDispatch } from './advance-runs.js';
import { followWorkflowRun } from './follow-workflow-run.js';

/** How long after its dispatch a run with no workflow run is given up on. */
export const NO_WORKFLOW_RUN_MS = 6 * 60 * 60_000;

export interface FollowUpOutcome {
  /** Runs whose completion was recorded from GitHub's answer. */
  settled: string[];
  /** Runs GitHub started no workflow run for: recorded as failed. */
  lost: string[];
  /** Runs still queued or in progress on GitHub (a follow-up is due again). */
  pending: string[];
}

/** Runs of `repo` dispatched more than `afterMs` ago and not finished, each asked about on GitHub. */
export async function followUpRuns(port: GitHubPort, records: Records, repo: RepoRef, afterMs: number, now = () => new Date()): Promise<FollowUpOutcome> {
  const outcome: FollowUpOutcome = { settled: [], lost: [], pending: [] };
  const repoName = `${repo.owner}/${repo.repo}`;
  for (const { run, tracking } of await records.listUnfinishedRuns(repoName)) {
    if (tracking.dispatchRequestedAt === null) continue;
    const age = now().getTime() - Date.parse(tracking.dispatchRequestedAt);
    if (age < afterMs) {
      outcome.pending.push(run.id);
      continue;
    }
    const found = await workflowRunOf(port, repo, run, tracking);
    if (found?.status === 'completed') {
      await followWorkflowRun(port, records, { action: 'completed', workflow_run: { id: found.id, display_title: found.displayTitle, conclusion: found.conclusion, html_url: found.htmlUrl }, repository: { name: repo.repo, owner: { login: repo.owner } } }, now);
      outcome.settled.push(run.id);
    } else if (!found && age >= NO_WORKFLOW_RUN_MS) {
      await giveUp(port, records, repo, run, tracking, now().toISOString());
      outcome.lost.push(run.id);
    } else outcome.pending.push(run.id);
  }
  return outcome;
}

/** The run's workflow run: the one that reported, else the one its dispatch started. */
function workflowRunOf(port: GitHubPort, repo: RepoRef, run: RunRecord, tracking: RunTracking): Promise<WorkflowRunState | undefined> {
  return tracking.workflowRunId !== null ? port.getWorkflowRun(repo, tracking.workflowRunId) : workflowRunOfDispatch(port, repo, run.id, tracking);
}

async function giveUp(port: GitHubPort, records: Records, repo: RepoRef, run: RunRecord, tracking: RunTracking, at: string): Promise<void> {
  const reason = `GitHub started no workflow run for its dispatch of ${tracking.dispatch.workflow} within ${NO_WORKFLOW_RUN_MS / 3_600_000} hours`;
  if (tracking.deploymentId !== null) await port.ensureDeploymentStatus(repo, tracking.deploymentId, { state: 'error', description: reason });
  await records.updateRun(run.id, { status: 'failure', reason, finishedAt: at });
  // Its environment is free again, and what depended on it is not run.
  await advanceRuns(port, records, repo, { all: true });
}
