// After a merge: one run per affected environment, recorded in the store with what it needs to be
// dispatched, shown as a GitHub Deployment, then released (dispatched to the config repository's
// runner workflow) unless it must wait: see flows/runs/advance-runs.ts.
import { runnerLabels, type ResolvedConfig } from '../../config/config.js';
import { planChange } from '../../engine/plan/plan.js';
import type { Run } from '../../engine/plan/types.js';
import type { GitHubPort, RepoRef } from '../../github/port.js';
import type { LoadResult } from '../../specs/load.js';
import type { ApprovalSource, RunDispatch, Store } from '../../system/store.js';
import { advanceRuns, type StartedRun } from '../runs/advance-runs.js';

export interface MergeRunsInput {
  repo: RepoRef;
  /** The sync branch: workflow_dispatch needs a branch, the runner then checks out `revision`. */
  branch: string;
  /** The merge commit. */
  revision: string;
  /** The system before the revision is applied, and as the revision (validated) leaves it. */
  before: LoadResult;
  after: LoadResult;
  config: ResolvedConfig;
  /** The revision the system applied last, if any: what a destroy runs. */
  previousRevision: string | undefined;
  /** The merged pull requests whose approvals count (several when one push brought several merges). */
  approvals: ApprovalSource[];
}

/** One merge, one environment, one action: the same id on a repeated job, so nothing starts twice. */
export const runIdOf = (revision: string, run: Pick<Run, 'project' | 'environment' | 'action'>) => `${revision.slice(0, 12)}-${run.project}-${run.environment}-${run.action}`;

/**
 * Call before the revision is applied: the plan is computed against the system as it was, so a job
 * repeated after a crash half-way computes the same runs and resumes each one where it stopped
 * (record, deployment, dispatch), never doing a step twice.
 */
export async function startMergeRuns(port: GitHubPort, store: Store, input: MergeRunsInput): Promise<StartedRun[]> {
  const plan = planChange({ base: { revision: 'system', loaded: input.before }, head: { revision: input.revision, loaded: input.after } });
  if (plan.runs.length === 0 || plan.summary.errors > 0) return [];
  const idOf = new Map(plan.runs.map((r) => [`${r.project}/${r.environment}`, runIdOf(input.revision, r)]));
  const repoName = `${input.repo.owner}/${input.repo.repo}`;
  await supersede(port, store, input, new Set(idOf.keys()));

  for (const [order, run] of plan.runs.entries()) {
    const environment = `${run.project}/${run.environment}`;
    const id = idOf.get(environment)!;
    let tracking = await store.getTracking(id);
    if (!tracking) {
      // A destroy runs the environment as it was: the runner needs a commit that still has it.
      const sha = run.action === 'destroy' ? input.previousRevision : input.revision;
      const dispatch: RunDispatch = {
        order,
        environment,
        action: run.action,
        branch: input.branch,
        workflow: input.config.runs.workflow,
        ...(sha !== undefined ? { sha } : {}),
        gates: run.approvals,
        after: run.reasons.filter((r) => r.type === 'dependency-runs').flatMap((r) => idOf.get(`${r.project}/${r.name}`) ?? []),
        labels: runnerLabels(input.config, agentsOf(input, run)),
        approvals: input.approvals,
      };
      // The run and what it needs commit together: a crash leaves both or neither.
      await store.createRun({ id, project: run.project, environment: run.environment, action: run.action, revision: input.revision, status: 'waiting', activities: run.activities, outputs: {} }, { repo: repoName, dispatch });
      tracking = (await store.getTracking(id))!;
    }
    if (tracking.deploymentId === null) {
      // Found by its run id if an earlier attempt created it and died before recording it.
      const deployment = await port.ensureDeployment(input.repo, { ref: input.revision, environment, description: `envsync ${run.action} of ${environment}`, payload: { runId: id, action: run.action } });
      await store.updateTracking(id, { deploymentId: deployment });
    }
  }
  return advanceRuns(port, store, input.repo, { revision: input.revision });
}

/**
 * Runs of earlier merges still waiting to be dispatched for an environment this merge runs again:
 * released later (an /approve on an older pull request), they would deploy an older revision over
 * this one. They are cancelled, and their deployments say by what.
 */
async function supersede(port: GitHubPort, store: Store, input: MergeRunsInput, environments: Set<string>): Promise<void> {
  for (const { run, tracking } of await store.listOpenRuns(`${input.repo.owner}/${input.repo.repo}`)) {
    if (run.revision === input.revision || !environments.has(`${run.project}/${run.environment}`)) continue;
    // One whose dispatch was asked for may be running already: it stays, and the workflow's
    // concurrency group runs this merge's after it.
    if (tracking.dispatchRequestedAt !== null) continue;
    await store.updateRun(run.id, { status: 'cancelled', finishedAt: new Date().toISOString() });
    if (tracking.deploymentId !== null) {
      await port.ensureDeploymentStatus(input.repo, tracking.deploymentId, { state: 'inactive', description: `superseded by the run of ${input.revision.slice(0, 7)}` });
    }
  }
}

/** The environment's agents (from the revision; for a destroy, from the system that still has it). */
function agentsOf(input: MergeRunsInput, run: Run): string[] {
  const source = run.action === 'destroy' ? input.before : input.after;
  const spec = source.specs.find((s) => s.kind.kind === 'Environment' && s.project === run.project && s.name === run.environment);
  const agents = (spec?.data.spec as { agents?: { name: string }[] } | undefined)?.agents ?? [];
  return agents.map((a) => a.name);
}
