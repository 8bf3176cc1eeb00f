// A runner workflow's progress, followed through `workflow_run` events: in progress, then the
// results artifact read back into the store, the deployment's final status, a summary comment on the
// merged pull request, and the runs that waited for this one released. The run is named in the
// workflow's run-name, "(run ID)".
//
// Every step after the results are recorded is ensured, so that a job repeated after a crash (or a
// redelivered completion) finishes what an earlier attempt started instead of answering "finished".
import type { GitHubPort, RepoRef } from '../../github/port.js';
import { ResultsError, readResultsArtifact } from '../../github/results-artifact.js';
import { clip, COMMENT_LIMIT } from '../../render/fit.js';
import { capitalized, describeTrigger, jobSummary } from '../../render/run-summary.js';
import { resultsArtifactName, runIdOfTitle, type RunResults } from '../../runner/contract.js';
import { isFinished, type RunRecord, type RunStatus, type Records } from '../../system/records.js';
import { advanceRuns, mergedPullRequest } from './advance-runs.js';

export interface WorkflowRunEvent {
  action: string;
  workflow_run: { id: number; display_title?: string; conclusion: string | null; html_url: string };
  repository: { name: string; owner: { login: string } };
}

export type WorkflowRunOutcome = { ignored: string } | { run: string; status: RunStatus };

/** Marks the app's summary comment of one run, so that a repeated job edits it rather than posting twice. */
const summaryMarker = (runId: string) => `<!-- envsync:run ${runId} -->`;

export async function followWorkflowRun(port: GitHubPort, records: Records, event: WorkflowRunEvent, now = () => new Date()): Promise<WorkflowRunOutcome> {
  const repo: RepoRef = { owner: event.repository.owner.login, repo: event.repository.name };
  const id = runIdOfTitle(event.workflow_run.display_title ?? '');
  if (!id) return { ignored: 'not an envsync run' };
  const run = await records.getRun(id);
  // A workflow run naming a run envsync did not start records nothing: a dispatch by hand cannot
  // rewrite history.
  if (!run) return { ignored: `envsync started no run ${id}` };
  const tracking = await records.getTracking(id);
  if (tracking) {
    // The first workflow run that reports for a run is the one: another (a dispatch repeated after
    // its answer was lost) is a duplicate, stopped before it deploys twice.
    if (tracking.workflowRunId !== null && tracking.workflowRunId !== event.workflow_run.id) {
      if (event.action !== 'completed') await port.cancelWorkflowRun(repo, event.workflow_run.id);
      return { ignored: `workflow run ${event.workflow_run.id} duplicates ${tracking.workflowRunId} for run ${id}` };
    }
    if (tracking.workflowRunId === null) await records.updateTracking(id, { workflowRunId: event.workflow_run.id, ...(tracking.dispatchedAt === null ? { dispatchedAt: now().toISOString() } : {}) });
  }
  const deployment = tracking?.deploymentId ?? undefined;
  const logUrl = event.workflow_run.html_url;

  if (event.action !== 'completed') {
    if (isFinished(run.status)) return { ignored: `run ${id} has finished` };
    if (run.status !== 'in_progress') await records.updateRun(id, { status: 'in_progress', startedAt: now().toISOString() });
    if (deployment) await port.ensureDeploymentStatus(repo, deployment, { state: 'in_progress', description: 'running on an Actions runner', logUrl });
    return { run: id, status: 'in_progress' };
  }

  const { results, problem } = await readResults(port, repo, event, run);
  const status: RunStatus = isFinished(run.status) ? run.status : (results?.status ?? (event.workflow_run.conclusion === 'cancelled' ? 'cancelled' : 'failure'));
  if (!isFinished(run.status)) {
    const finishedAt = now().toISOString();
    await records.updateRun(id, { status, ...(results ? { activities: results.activities, outputs: results.outputs } : {}), startedAt: run.startedAt ?? finishedAt, finishedAt });
  }
  const environment = `${run.project}/${run.environment}`;
  if (deployment) {
    await port.ensureDeploymentStatus(repo, deployment, {
      state: status === 'success' ? 'success' : status === 'cancelled' ? 'error' : 'failure',
      description: problem ?? `${run.action} of ${environment}: ${status}`,
      logUrl,
    });
  }
  // The runs that waited for this one go now (or are not run, if it failed), before the comment:
  // a comment GitHub refuses must never keep them waiting.
  await advanceRuns(port, records, repo, { all: true });
  // The summary goes on the merged pull request; a run without one (manual, or the app's own
  // commit) is summarized on the commit it ran.
  const tail = `[Workflow run](${logUrl})\n${summaryMarker(id)}\n`;
  const body = results
    ? `${jobSummary(results, { limit: COMMENT_LIMIT - tail.length - 1, trigger: describeTrigger(run), more: 'the job summary of the workflow run has every row' })}\n`
    : `### envsync ${run.action} of \`${environment}\`: ${status}\n\n${capitalized(describeTrigger(run))}: ${clip(problem ?? '', 2000)}; see the workflow run.\n\n`;
  const merged = run.trigger === 'webhook' ? await mergedPullRequest(port, repo, run.revision) : undefined;
  if (merged) await port.ensureComment(repo, merged.number, summaryMarker(id), `${body}${tail}`);
  else await port.ensureCommitComment(repo, tracking?.dispatch.sha ?? run.revision, summaryMarker(id), `${body}${tail}`);
  return { run: id, status };
}

/** The run's results from its artifact, checked to be this run's; or what is wrong with them. */
async function readResults(port: GitHubPort, repo: RepoRef, event: WorkflowRunEvent, run: RunRecord): Promise<{ results?: RunResults; problem?: string }> {
  const artifact = (await port.listRunArtifacts(repo, event.workflow_run.id)).find((a) => a.name === resultsArtifactName(run.id) && !a.expired);
  if (!artifact) return { problem: 'the runner uploaded no results' };
  try {
    const results = readResultsArtifact(await port.downloadArtifact(repo, artifact.id));
    if (results.project !== run.project || results.environment !== run.environment || results.action !== run.action) {
      return { problem: `the results are of ${results.action} ${results.project}/${results.environment}, not of this run` };
    }
    return { results };
  } catch (e) {
    if (!(e instanceof ResultsError)) throw e;
    return { problem: e.message };
  }
}
