// A runner workflow's progress, followed through `workflow_run` events: in progress, then the
// results artifact read back into the store, the deployment's final status and a summary comment
// on the merged pull request. The run is named in the workflow's run-name, "(run ID)".
import type { GitHubPort, RepoRef } from '../github/port.js';
import { ResultsError, readResultsArtifact } from '../github/results-artifact.js';
import { jobSummary } from '../render/run-summary.js';
import type { RunResults } from '../runner/run.js';
import { RESULTS_ARTIFACT_PREFIX } from '../runner/workflow.js';
import type { RunStatus, Store } from '../system/store.js';
import { advanceRuns, deploymentSetting, mergedPullRequest } from './merge-runs.js';

export interface WorkflowRunEvent {
  action: string;
  workflow_run: { id: number; display_title?: string; conclusion: string | null; html_url: string };
  repository: { name: string; owner: { login: string } };
}

export type WorkflowRunOutcome = { ignored: string } | { run: string; status: RunStatus };

const RUN_IN_TITLE = /\(run ([\w.-]+)\)$/;
const FINISHED: readonly RunStatus[] = ['success', 'failure', 'cancelled'];

export async function followWorkflowRun(port: GitHubPort, store: Store, event: WorkflowRunEvent, now = () => new Date()): Promise<WorkflowRunOutcome> {
  const repo: RepoRef = { owner: event.repository.owner.login, repo: event.repository.name };
  const id = RUN_IN_TITLE.exec(event.workflow_run.display_title ?? '')?.[1];
  if (!id) return { ignored: 'not an envsync run' };
  const run = await store.getRun(id);
  // A workflow run naming a run envsync did not start, or one already finished, records nothing:
  // a dispatch by hand cannot rewrite history.
  if (!run) return { ignored: `envsync started no run ${id}` };
  if (FINISHED.includes(run.status)) return { ignored: `run ${id} has finished` };
  const deployment = Number(await store.getSetting(deploymentSetting(id))) || undefined;
  const logUrl = event.workflow_run.html_url;

  if (event.action !== 'completed') {
    if (run.status === 'in_progress') return { ignored: `run ${id} is already in progress` };
    await store.updateRun(id, { status: 'in_progress', startedAt: now().toISOString() });
    if (deployment) await port.createDeploymentStatus(repo, deployment, { state: 'in_progress', description: 'running on an Actions runner', logUrl });
    return { run: id, status: 'in_progress' };
  }

  let results: RunResults | undefined;
  let problem: string | undefined;
  const artifact = (await port.listRunArtifacts(repo, event.workflow_run.id)).find((a) => a.name === `${RESULTS_ARTIFACT_PREFIX}${id}` && !a.expired);
  if (!artifact) problem = 'the runner uploaded no results';
  else {
    try {
      results = readResultsArtifact(await port.downloadArtifact(repo, artifact.id));
      if (results.project !== run.project || results.environment !== run.environment || results.action !== run.action) {
        problem = `the results are of ${results.action} ${results.project}/${results.environment}, not of this run`;
        results = undefined;
      }
    } catch (e) {
      if (!(e instanceof ResultsError)) throw e;
      problem = e.message;
    }
  }
  const status: RunStatus = results?.status ?? (event.workflow_run.conclusion === 'cancelled' ? 'cancelled' : 'failure');
  const finishedAt = now().toISOString();
  await store.updateRun(id, {
    status,
    ...(results ? { activities: results.activities, outputs: results.outputs } : {}),
    startedAt: run.startedAt ?? finishedAt,
    finishedAt,
  });
  const environment = `${run.project}/${run.environment}`;
  if (deployment) {
    await port.createDeploymentStatus(repo, deployment, {
      state: status === 'success' ? 'success' : status === 'cancelled' ? 'error' : 'failure',
      description: problem ?? `${run.action} of ${environment}: ${status}`,
      logUrl,
    });
  }
  const merged = await mergedPullRequest(port, repo, run.revision);
  if (merged) {
    const body = results
      ? `${jobSummary(results)}\n[Workflow run](${logUrl})\n`
      : `### envsync ${run.action} of \`${environment}\`: ${status}\n\n${problem}: see the [workflow run](${logUrl}).\n`;
    await port.createComment(repo, merged.number, body);
  }
  // Runs of the same merge that waited for this one go now (or are not run, if it failed).
  await advanceRuns(port, store, repo, run.revision);
  return { run: id, status };
}
