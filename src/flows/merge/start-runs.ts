// After a merge: one run per affected environment, recorded in the store with what it needs to be
// dispatched; then every unfinished run of the repository moves on (flows/runs/advance-runs.ts):
// shown as a GitHub Deployment, dispatched to the runner workflow, or waiting, saying for what.
import { runnerLabels, type ResolvedConfig } from '../../config/config.js';
import { planChange } from '../../engine/plan/plan.js';
import { RUN_OWN_APPROVALS } from '../../engine/run-lifecycle.js';
import { environmentClosure } from '../../engine/environment-closure.js';
import { refOf } from '../../engine/plan/changes.js';
import { SpecIndex } from '../../engine/spec-index.js';
import { assignWaves, labelsIn, waveGate } from '../../engine/plan/waves.js';
import type { Run } from '../../engine/plan/types.js';
import type { GitHubPort, RepoRef } from '../../github/port.js';
import type { LoadResult } from '../../specs/load.js';
import type { ApprovalSource, RunDispatch, RunTracking, RunTrigger, Records } from '../../system/records.js';
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
  /** A Git change (webhook), or the app's own commit of a system change (internal); and who pushed it. */
  trigger: RunTrigger;
  actor: string | null;
}

/**
 * One merge, one environment, one action: the same id on a repeated job, so nothing starts twice. A
 * dot, which no name holds, keeps the project from the environment (with a dash, `a-b/c` and `a/b-c` were one id).
 */
export const runIdOf = (revision: string, run: Pick<Run, 'project' | 'environment' | 'action'>) => `${revision.slice(0, 12)}-${run.project}.${run.environment}-${run.action}`;

/**
 * Call before the revision is applied: the plan is computed against the system as it was, so a job
 * repeated after a crash half-way computes the same runs and resumes each one where it stopped
 * (record, deployment, dispatch), never doing a step twice.
 */
export async function startMergeRuns(port: GitHubPort, records: Records, input: MergeRunsInput): Promise<StartedRun[]> {
  const plan = planChange({ base: { revision: 'system', loaded: input.before }, head: { revision: input.revision, loaded: input.after } });
  if (plan.runs.length === 0 || plan.summary.errors > 0) return [];
  const idOf = new Map(plan.runs.map((r) => [`${r.project}/${r.environment}`, runIdOf(input.revision, r)]));
  // A rollout in waves: each run of a wave waits for the wave before it as a whole (every run of it
  // succeeded), and for the wave's gate when it has one, so that a failure stops the waves after it.
  const waves = assignWaves(plan.runs, input.config.rollout.waves, labelsIn(input.after));
  const waveOf = new Map(waves.flatMap((wave, index) => wave.runs.map((run) => [run, { wave, index }] as const)));
  const repoName = `${input.repo.owner}/${input.repo.repo}`;
  const pending = await pendingByEnvironment(records, repoName);
  // What each run reads, for its sealed secrets: a destroy the environment as it was, a deploy as the revision leaves it.
  const indexes = { deploy: new SpecIndex(input.after.specs), destroy: new SpecIndex(input.before.specs) };

  // Recorded wave by wave (dependency order within): a run is decided after the runs it waits for.
  for (const [order, run] of waves.flatMap((wave) => wave.runs).entries()) {
    const environment = `${run.project}/${run.environment}`;
    const id = idOf.get(environment)!;
    if (await records.getTracking(id)) continue;
    // A destroy runs the environment as it was: the runner needs a commit that still has it.
    const sha = run.action === 'destroy' ? input.previousRevision : input.revision;
    // This run supersedes the environment's runs still waiting (engine/run-lifecycle.ts): the gates
    // they wait for, the runs they wait for and the pull requests that may approve them come with it,
    // so that a newer merge never carries an older one's change past an approval or a wave it still needs.
    // A manual run's gates are the environment's own, approved on the run: nothing of it is carried.
    const inWave = waves.length > 1 ? waveOf.get(run) : undefined;
    const older = (pending.get(environment) ?? []).filter((t) => t.runId !== id && !t.dispatch.approvals.some((a) => a.number === RUN_OWN_APPROVALS));
    const dispatch: RunDispatch = {
      order,
      environment,
      action: run.action,
      branch: input.branch,
      workflow: input.config.runs.workflow,
      ...(sha !== undefined ? { sha } : {}),
      gates: unique([...run.approvals, ...(inWave?.wave.gate ? [waveGate(inWave.wave.name)] : []), ...older.flatMap((t) => t.dispatch.gates)]),
      // What the superseded runs waited for, too: a newer merge never takes an older one's change past
      // a wave the older one still waits for.
      after: unique([...run.reasons.filter((r) => r.type === 'dependency-runs').flatMap((r) => idOf.get(`${r.project}/${r.name}`) ?? []), ...older.flatMap((t) => t.dispatch.after)]),
      ...afterWavesOf([...(inWave && inWave.index > 0 ? [{ revision: input.revision, index: inWave.index - 1 }] : []), ...older.flatMap((t) => t.dispatch.afterWaves ?? [])]),
      labels: runnerLabels(input.config.runs, agentsOf(input, run)),
      approvals: uniqueBy([...input.approvals, ...older.flatMap((t) => t.dispatch.approvals)], (a) => `${a.number}\u0000${a.subject}`),
      ...(input.config.runs.package ? { package: input.config.runs.package } : {}),
      reads: environmentClosure(indexes[run.action], run.project, run.environment).specs.map(refOf),
      ...(inWave ? { wave: { name: inWave.wave.name, index: inWave.index, of: waves.length } } : {}),
    };
    // The run and what it needs commit together: a crash leaves both or neither.
    await records.createRun(
      { id, project: run.project, environment: run.environment, action: run.action, revision: input.revision, status: 'waiting', trigger: input.trigger, actor: input.actor, activities: run.activities, outputs: {} },
      { repo: repoName, dispatch },
    );
  }
  return advanceRuns(port, records, input.repo, { revision: input.revision });
}

/** The runs of each environment recorded and not yet handed to GitHub. */
async function pendingByEnvironment(records: Records, repoName: string): Promise<Map<string, RunTracking[]>> {
  const pending = new Map<string, RunTracking[]>();
  for (const { tracking } of await records.listUnfinishedRuns(repoName)) {
    if (tracking.dispatchRequestedAt !== null) continue;
    pending.set(tracking.dispatch.environment, [...(pending.get(tracking.dispatch.environment) ?? []), tracking]);
  }
  return pending;
}

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];
/** The waves a run waits for, each once; nothing when none. */
const afterWavesOf = (waves: readonly { revision: string; index: number }[]) => {
  const once = uniqueBy(waves, (w) => `${w.revision}\u0000${w.index}`);
  return once.length > 0 ? { afterWaves: once } : {};
};
const uniqueBy = <T>(items: readonly T[], key: (item: T) => string): T[] => [...new Map(items.map((i) => [key(i), i])).values()];

/** The environment's agents (from the revision; for a destroy, from the system that still has it). */
function agentsOf(input: MergeRunsInput, run: Run): string[] {
  const source = run.action === 'destroy' ? input.before : input.after;
  const spec = source.specs.find((s) => s.kind.kind === 'Environment' && s.project === run.project && s.name === run.environment);
  const agents = (spec?.data.spec as { agents?: { name: string }[] } | undefined)?.agents ?? [];
  return agents.map((a) => a.name);
}
