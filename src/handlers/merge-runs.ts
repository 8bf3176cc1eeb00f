// After a merge is applied to the system: one run per affected environment, recorded in the store,
// shown as a GitHub Deployment, and dispatched to the config repository's runner workflow, unless
// it must wait (an approval gate not approved on the merged pull request, or an environment it
// depends on that runs in the same merge).
import { runnerLabels, type ResolvedConfig } from '../config/config.js';
import { planChange } from '../engine/plan/plan.js';
import type { Run } from '../engine/plan/types.js';
import type { GitHubPort, PullRequest, RepoRef } from '../github/port.js';
import type { LoadResult } from '../specs/load.js';
import type { CheckedRevision } from '../system/service.js';
import type { Store } from '../system/store.js';
import { approvalSubject, decisionsByGate } from './pull-request.js';

export interface MergeRunsInput {
  repo: RepoRef;
  /** The sync branch: workflow_dispatch needs a branch, the runner then checks out `revision`. */
  branch: string;
  /** The merge commit. */
  revision: string;
  /** The system before the revision was applied, and the revision (validated: one with errors runs nothing). */
  before: LoadResult;
  after: CheckedRevision;
  config: ResolvedConfig;
  /** The revision the system applied last, if any: what a destroy runs. */
  previousRevision: string | undefined;
}

export interface StartedRun {
  id: string;
  environment: string;
  action: Run['action'];
  /** Dispatched to a runner, not run (an environment it depends on failed), or why it waits. */
  state: 'dispatched' | { notRun: string } | { waitingFor: string };
}

/** One merge, one environment, one action: the same id on a redelivery, so nothing starts twice. */
export const runIdOf = (revision: string, run: Pick<Run, 'project' | 'environment' | 'action'>) => `${revision.slice(0, 12)}-${run.project}-${run.environment}-${run.action}`;

export const deploymentSetting = (runId: string) => `deployment:${runId}`;
const dispatchedSetting = (runId: string) => `dispatched:${runId}`;
const pendingSetting = (runId: string) => `pending:${runId}`;

/** What a run needs to be dispatched later, when what it waits for is done. */
interface PendingRun {
  order: number;
  environment: string;
  action: Run['action'];
  branch: string;
  workflow: string;
  /** The commit the runner checks out; none when a destroy has no earlier revision to run. */
  sha?: string;
  gates: string[];
  /** Runs of this merge that must succeed first. */
  after: string[];
  labels: string[];
  /** The last "waiting for" the deployment was told, so that it is told each change once. */
  told?: string;
}

/**
 * Call before the revision is applied: the plan is computed against the system as it was, so a
 * redelivered push (after a failure half-way) computes the same runs and resumes each one where it
 * stopped (record, deployment, dispatch), never doing a step twice.
 */
export async function startMergeRuns(port: GitHubPort, store: Store, input: MergeRunsInput): Promise<StartedRun[]> {
  const plan = planChange({ base: { revision: 'system', loaded: input.before }, head: { revision: input.revision, loaded: input.after.loaded } });
  if (plan.runs.length === 0 || plan.summary.errors > 0) return [];
  const idOf = new Map(plan.runs.map((r) => [`${r.project}/${r.environment}`, runIdOf(input.revision, r)]));

  for (const [order, run] of plan.runs.entries()) {
    const environment = `${run.project}/${run.environment}`;
    const id = idOf.get(environment)!;
    if (!(await store.getRun(id))) {
      // A destroy runs the environment as it was: the runner needs a commit that still has it.
      const sha = run.action === 'destroy' ? input.previousRevision : input.revision;
      const pending: PendingRun = {
        order,
        environment,
        action: run.action,
        branch: input.branch,
        workflow: input.config.runs.workflow,
        ...(sha !== undefined ? { sha } : {}),
        gates: run.approvals,
        after: run.reasons.filter((r) => r.type === 'dependency-runs').flatMap((r) => idOf.get(`${r.project}/${r.name}`) ?? []),
        labels: runnerLabels(input.config, agentsOf(input, run)),
      };
      await store.setSetting(pendingSetting(id), JSON.stringify(pending));
      await store.createRun({ id, project: run.project, environment: run.environment, action: run.action, revision: input.revision, status: 'waiting', activities: run.activities, outputs: {} });
    }
    if (!(await store.getSetting(deploymentSetting(id)))) {
      const deployment = await port.createDeployment(input.repo, { ref: input.revision, environment, description: `envsync ${run.action} of ${environment}`, payload: { runId: id, action: run.action } });
      await store.setSetting(deploymentSetting(id), String(deployment));
    }
  }
  return advanceRuns(port, store, input.repo, input.revision);
}

/**
 * Dispatches each waiting run of a merge whose gates are approved and whose dependencies succeeded;
 * called after the merge, after an /approve on the merged pull request, and after a run finishes.
 */
export async function advanceRuns(port: GitHubPort, store: Store, repo: RepoRef, revision: string): Promise<StartedRun[]> {
  const runs: { id: string; pending: PendingRun; status: string }[] = [];
  for (const run of await store.listRuns({ revision })) {
    if (run.status !== 'waiting' && run.status !== 'queued') continue;
    const text = await store.getSetting(pendingSetting(run.id));
    if (text) runs.push({ id: run.id, pending: JSON.parse(text) as PendingRun, status: run.status });
  }
  if (runs.length === 0) return [];
  runs.sort((a, b) => a.pending.order - b.pending.order);
  const repoName = `${repo.owner}/${repo.repo}`;
  const merged = await mergedPullRequest(port, repo, revision);
  const decisions = merged ? decisionsByGate(await store.listApprovals(repoName, merged.number, approvalSubject(merged))) : new Map();
  const started: StartedRun[] = [];

  for (const { id, pending, status } of runs) {
    const deployment = Number(await store.getSetting(deploymentSetting(id)));
    const base = { id, environment: pending.environment, action: pending.action };
    if (status === 'queued' && (await store.getSetting(dispatchedSetting(id)))) {
      started.push({ ...base, state: 'dispatched' });
      continue;
    }
    const before = await Promise.all(pending.after.map(async (dep) => ({ dep, run: await store.getRun(dep) })));
    const failed = before.find((b) => b.run && ['failure', 'cancelled'].includes(b.run.status));
    if (failed) {
      const why = `${failed.run!.project}/${failed.run!.environment} did not succeed`;
      await store.updateRun(id, { status: 'cancelled', finishedAt: new Date().toISOString() });
      await port.createDeploymentStatus(repo, deployment, { state: 'error', description: `not run: ${why}` });
      started.push({ ...base, state: { notRun: why } });
      continue;
    }
    const unapproved = pending.gates.filter((gate) => decisions.get(gate)?.decision !== 'approve');
    const running = before.filter((b) => b.run?.status !== 'success').map((b) => (b.run ? `${b.run.project}/${b.run.environment}` : b.dep));
    const waitingFor =
      unapproved.length > 0
        ? `approval of ${unapproved.join(', ')}: /approve on ${merged ? `#${merged.number}` : 'the merged pull request'}`
        : running.length > 0
          ? `the runs of ${running.join(', ')}`
          : pending.sha === undefined
            ? 'a revision that still has the environment (the system has applied none)'
            : undefined;
    if (waitingFor) {
      if (pending.told !== waitingFor) {
        await port.createDeploymentStatus(repo, deployment, { state: 'queued', description: `waiting for ${waitingFor}` });
        await store.setSetting(pendingSetting(id), JSON.stringify({ ...pending, told: waitingFor }));
      }
      started.push({ ...base, state: { waitingFor } });
      continue;
    }
    await store.updateRun(id, { status: 'queued' });
    await port.dispatchWorkflow(repo, pending.workflow, pending.branch, {
      environment: pending.environment,
      action: pending.action,
      sha: pending.sha!,
      approved: pending.gates.join(','),
      'runs-on': JSON.stringify(pending.labels),
      'run-id': id,
    });
    await store.setSetting(dispatchedSetting(id), new Date().toISOString());
    await port.createDeploymentStatus(repo, deployment, {
      state: 'queued',
      description: `dispatched to ${pending.workflow}`,
      logUrl: `https://github.com/${repoName}/actions/workflows/${pending.workflow}`,
    });
    started.push({ ...base, state: 'dispatched' });
  }
  return started;
}

/** The pull request a merge commit merged (closed), if it came from one. */
export async function mergedPullRequest(port: GitHubPort, repo: RepoRef, sha: string): Promise<PullRequest | undefined> {
  return (await port.pullRequestsOfCommit(repo, sha)).find((pr) => pr.state === 'closed');
}

/** The environment's agents (from the revision; for a destroy, from the system that still has it). */
function agentsOf(input: MergeRunsInput, run: Run): string[] {
  const source = run.action === 'destroy' ? input.before : input.after.loaded;
  const spec = source.specs.find((s) => s.kind.kind === 'Environment' && s.project === run.project && s.name === run.environment);
  const agents = (spec?.data.spec as { agents?: { name: string }[] } | undefined)?.agents ?? [];
  return agents.map((a) => a.name);
}
