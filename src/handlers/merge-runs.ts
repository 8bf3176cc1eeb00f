// After a merge is applied to the system: one run per affected environment, recorded in the store,
// shown as a GitHub Deployment, and dispatched to the config repository's runner workflow, unless
// it must wait (an approval gate not approved on the merged pull request, or an environment it
// depends on that runs in the same merge).
import { runnerLabels, type ResolvedConfig } from '../config/config.js';
import { planChange } from '../engine/plan/plan.js';
import { validateRepository } from '../engine/validate.js';
import type { Run } from '../engine/plan/types.js';
import type { GitHubPort, PullRequest, RepoRef } from '../github/port.js';
import type { LoadResult } from '../specs/load.js';
import type { Store } from '../system/store.js';
import { approvalSubject, decisionsByGate } from './pull-request.js';

export interface MergeRunsInput {
  repo: RepoRef;
  /** The sync branch: workflow_dispatch needs a branch, the runner then checks out `revision`. */
  branch: string;
  /** The merge commit. */
  revision: string;
  /** The system before the revision was applied, and the revision. */
  before: LoadResult;
  after: LoadResult;
  config: ResolvedConfig;
  /** The revision the system applied last, if any: what a destroy runs. */
  previousRevision: string | undefined;
}

export interface StartedRun {
  id: string;
  environment: string;
  action: Run['action'];
  /** Dispatched to a runner, or why it waits. */
  state: 'dispatched' | { waitingFor: string };
}

/** One merge, one environment, one action: the same id on a redelivery, so nothing starts twice. */
export const runIdOf = (revision: string, run: Pick<Run, 'project' | 'environment' | 'action'>) => `${revision.slice(0, 12)}-${run.project}-${run.environment}-${run.action}`;

export const deploymentSetting = (runId: string) => `deployment:${runId}`;
const dispatchedSetting = (runId: string) => `dispatched:${runId}`;

/**
 * Call before the revision is applied: the plan is computed against the system as it was, so a
 * redelivered push (after a failure half-way) computes the same runs and resumes each one where it
 * stopped (record, deployment, dispatch), never doing a step twice.
 */
export async function startMergeRuns(port: GitHubPort, store: Store, input: MergeRunsInput): Promise<StartedRun[]> {
  // A revision with errors is not applied (the system refuses it): nothing runs for it either.
  if (validateRepository(input.after).some((f) => f.severity === 'error')) return [];
  const plan = planChange({ base: { revision: 'system', loaded: input.before }, head: { revision: input.revision, loaded: input.after } });
  if (plan.runs.length === 0 || plan.summary.errors > 0) return [];
  const repoName = `${input.repo.owner}/${input.repo.repo}`;
  const merged = await mergedPullRequest(port, input.repo, input.revision);
  const decisions = merged ? decisionsByGate(await store.listApprovals(repoName, merged.number, approvalSubject(merged))) : new Map();
  const inThisMerge = new Set(plan.runs.map((r) => `${r.project}/${r.environment}`));
  const started: StartedRun[] = [];

  for (const run of plan.runs) {
    const id = runIdOf(input.revision, run);
    const environment = `${run.project}/${run.environment}`;
    const unapproved = run.approvals.filter((gate) => decisions.get(gate)?.decision !== 'approve');
    const dependencies = run.reasons.filter((r) => r.type === 'dependency-runs' && inThisMerge.has(`${r.project}/${r.name}`)).map((r) => `${r.project}/${r.name}`);
    // A destroy runs the environment as it was: the runner needs a commit that still has it.
    const sha = run.action === 'destroy' ? input.previousRevision : input.revision;
    const waitingFor =
      unapproved.length > 0
        ? `approval of ${unapproved.join(', ')}: /approve on ${merged ? `#${merged.number}` : 'the merged pull request'}`
        : dependencies.length > 0
          ? `the runs of ${dependencies.join(', ')}`
          : sha === undefined
            ? 'a revision that still has the environment (the system has applied none)'
            : undefined;

    if (!(await store.getRun(id))) {
      await store.createRun({ id, project: run.project, environment: run.environment, action: run.action, revision: input.revision, status: waitingFor ? 'waiting' : 'queued', activities: run.activities, outputs: {} });
    }
    let deployment = Number(await store.getSetting(deploymentSetting(id)));
    if (!deployment) {
      deployment = await port.createDeployment(input.repo, { ref: input.revision, environment, description: `envsync ${run.action} of ${environment}`, payload: { runId: id, action: run.action } });
      await store.setSetting(deploymentSetting(id), String(deployment));
      if (waitingFor) await port.createDeploymentStatus(input.repo, deployment, { state: 'queued', description: `waiting for ${waitingFor}` });
    }
    if (waitingFor || sha === undefined) {
      started.push({ id, environment, action: run.action, state: { waitingFor: waitingFor ?? '' } });
      continue;
    }
    if (!(await store.getSetting(dispatchedSetting(id)))) {
      await port.dispatchWorkflow(input.repo, input.config.runs.workflow, input.branch, {
        environment,
        action: run.action,
        sha,
        approved: run.approvals.join(','),
        'runs-on': JSON.stringify(runnerLabels(input.config, agentsOf(input, run))),
        'run-id': id,
      });
      await store.setSetting(dispatchedSetting(id), new Date().toISOString());
      await port.createDeploymentStatus(input.repo, deployment, {
        state: 'queued',
        description: `dispatched to ${input.config.runs.workflow}`,
        logUrl: `https://github.com/${repoName}/actions/workflows/${input.config.runs.workflow}`,
      });
    }
    started.push({ id, environment, action: run.action, state: 'dispatched' });
  }
  return started;
}

async function mergedPullRequest(port: GitHubPort, repo: RepoRef, sha: string): Promise<PullRequest | undefined> {
  return (await port.pullRequestsOfCommit(repo, sha)).find((pr) => pr.state === 'closed');
}

/** The environment's agents (from the revision; for a destroy, from the system that still has it). */
function agentsOf(input: MergeRunsInput, run: Run): string[] {
  const source = run.action === 'destroy' ? input.before : input.after;
  const spec = source.specs.find((s) => s.kind.kind === 'Environment' && s.project === run.project && s.name === run.environment);
  const agents = (spec?.data.spec as { agents?: { name: string }[] } | undefined)?.agents ?? [];
  return agents.map((a) => a.name);
}
