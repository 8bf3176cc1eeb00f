// What each unfinished run of a repository does next: one pure decision over typed state, whatever
// started the run (a merge, a system change, someone pressing Run). The flow that calls it
// (flows/runs/advance-runs.ts) only carries the answer out on GitHub and in the store.
//
// The rules, in the order they apply to a run not yet handed to GitHub:
// 1. A newer run of the same environment, not handed over either, takes its place: superseded. A
//    merge's run takes the place of a manual one whichever came first: a manual run runs the
//    revision applied when it was started, which a merge recorded before its apply may be newer than.
// 2. A dependency that did not succeed (failed, cancelled, not run): not run. A dependency that was
//    superseded is followed to the run that took its place.
// 3. Gates not approved, dependencies not finished, another run of the environment on GitHub, or no
//    revision to run: it waits, saying for what.
// 4. Otherwise it is dispatched, and the environment counts as busy for the runs after it.
// A run handed over (its dispatch requested) is GitHub's until the workflow run reports back.

/** The pull request number of a run's own approvals: a manual run has no pull request (the subject is the run id). */
export const RUN_OWN_APPROVALS = 0;

/**
 * waiting: recorded, not handed to GitHub yet (gates, dependencies, the environment's previous run);
 * queued: dispatched, waiting for a runner; in_progress; success; failure; cancelled (on GitHub);
 * superseded: a newer run of the environment took its place before it was dispatched;
 * not_run: it will never run (a dependency did not succeed, GitHub refused its dispatch).
 */
export const RUN_STATUSES = ['waiting', 'queued', 'in_progress', 'success', 'failure', 'cancelled', 'superseded', 'not_run'] as const;
export type LifecycleStatus = (typeof RUN_STATUSES)[number];

/** An unfinished run, as the decision needs it. */
export interface LifecycleRun {
  id: string;
  /** PROJECT/ENVIRONMENT. */
  environment: string;
  status: LifecycleStatus;
  /** Its dispatch was requested: from then on only the workflow run moves it. */
  handedOver: boolean;
  /** Gates still to approve (those approved are left out by the caller). */
  unapproved: readonly string[];
  /** Runs that must succeed first. */
  after: readonly string[];
  /** False when a destroy has no earlier revision that still holds the environment. */
  hasRevision: boolean;
  /** Started by someone pressing Run, at the revision applied then. */
  manual: boolean;
}

/**
 * A wave of a rollout as one dependency: what the runs of the next wave wait for (each run names the
 * barrier, not every run of the wave before, so that what is stored grows with the fleet, not its
 * square). `label` names it in reasons (`wave canary`); `members` are the ids of its runs.
 */
export interface Barrier {
  label: string;
  members: readonly string[];
}

/** A run outside the unfinished ones, as far as a dependency on it needs. */
export interface FinishedRun {
  id: string;
  environment: string;
  status: LifecycleStatus;
  supersededBy: string | null;
}

export type WaitReason =
  | { approval: readonly string[] }
  | { runs: readonly { id: string; environment: string }[] }
  | { environmentBusy: { id: string } }
  | { revision: 'none' };

export type NextStep =
  | { step: 'dispatch' }
  /** Handed to GitHub: resume the dispatch if its answer was lost, else wait for the workflow run. */
  | { step: 'handed-over' }
  | { step: 'wait'; reason: WaitReason }
  /** `cause`: the run that failed at the root of the chain (the dependency itself, unless it was not run for another). */
  | { step: 'not-run'; dependency: { id: string; environment: string; status: LifecycleStatus }; cause: { id: string; environment: string } }
  | { step: 'superseded'; by: string };

const FAILED: ReadonlySet<LifecycleStatus> = new Set(['failure', 'cancelled', 'not_run']);

/**
 * The next step of each run in `runs` (the repository's unfinished runs, oldest first). `known`
 * holds the other runs their dependencies name (finished ones, and those a superseded one points to).
 */
export function decideRuns(runs: readonly LifecycleRun[], known: ReadonlyMap<string, FinishedRun>, barriers: ReadonlyMap<string, Barrier> = new Map()): Map<string, NextStep> {
  const steps = new Map<string, NextStep>();
  const causes = new Map<string, { id: string; environment: string }>();
  const byId = new Map<string, FinishedRun>(known);
  for (const run of runs) byId.set(run.id, { id: run.id, environment: run.environment, status: run.status, supersededBy: null });
  // The run of each environment that supersedes the others not handed over yet: the newest merge's,
  // else the newest manual one.
  const newestPending = new Map<string, LifecycleRun>();
  for (const run of runs) {
    const current = newestPending.get(run.environment);
    // A merge's run replaces any before it; a manual run replaces only a manual one.
    if (!run.handedOver && (!current || !run.manual || current.manual)) newestPending.set(run.environment, run);
  }
  // A barrier's state, worked out when a run first asks for it and kept for the pass: a merge's runs
  // are recorded wave by wave, so by then the members of its waves have been decided.
  const barrierStates = new Map<string, { id: string; run: FinishedRun }>();
  const barrier = (id: string): { id: string; run: FinishedRun } => {
    const known = barrierStates.get(id);
    if (known) return known;
    const { label, members } = barriers.get(id)!;
    const states = members.map((m) => settle(m, byId));
    const failed = states.find((s) => s.run && FAILED.has(s.run.status));
    if (failed?.run) causes.set(id, causes.get(failed.run.id) ?? { id: failed.run.id, environment: failed.run.environment });
    // A member superseded by a newer run is followed to it (settle): that run holds the wave until it
    // succeeds; one this pass knows nothing of (recorded elsewhere, pruned) no longer holds it.
    const status: LifecycleStatus = failed ? 'failure' : states.every((s) => !s.run || s.run.status === 'success' || s.run.status === 'superseded') ? 'success' : 'in_progress';
    const state = { id, run: { id, environment: label, status, supersededBy: null } };
    barrierStates.set(id, state);
    return state;
  };
  // The run of each environment on GitHub now: at most one.
  const busy = new Map<string, string>();
  for (const run of runs) if (run.handedOver) busy.set(run.environment, run.id);

  for (const run of runs) {
    if (run.handedOver) {
      steps.set(run.id, { step: 'handed-over' });
      continue;
    }
    const newest = newestPending.get(run.environment)!.id;
    if (newest !== run.id) {
      steps.set(run.id, { step: 'superseded', by: newest });
      byId.set(run.id, { ...byId.get(run.id)!, status: 'superseded', supersededBy: newest });
      continue;
    }
    const dependencies = run.after.map((id) => (barriers.has(id) ? barrier(id) : settle(id, byId)));
    const failed = dependencies.find((d) => d.run && FAILED.has(d.run.status));
    if (failed?.run) {
      // Not run for a run that was not run itself: the failure at the root is what to name.
      const cause = causes.get(failed.run.id) ?? { id: failed.run.id, environment: failed.run.environment };
      causes.set(run.id, cause);
      steps.set(run.id, { step: 'not-run', dependency: { id: failed.run.id, environment: failed.run.environment, status: failed.run.status }, cause });
      byId.set(run.id, { ...byId.get(run.id)!, status: 'not_run' });
      continue;
    }
    const unfinished = dependencies.filter((d) => d.run?.status !== 'success').map((d) => ({ id: d.run?.id ?? d.id, environment: d.run?.environment ?? d.id }));
    const other = busy.get(run.environment);
    const reason: WaitReason | undefined =
      run.unapproved.length > 0
        ? { approval: run.unapproved }
        : unfinished.length > 0
          ? { runs: unfinished }
          : other !== undefined
            ? { environmentBusy: { id: other } }
            : !run.hasRevision
              ? { revision: 'none' }
              : undefined;
    if (reason) {
      steps.set(run.id, { step: 'wait', reason });
      continue;
    }
    steps.set(run.id, { step: 'dispatch' });
    busy.set(run.environment, run.id);
  }
  return steps;
}

/** A dependency followed through the runs that superseded it; `run` undefined when nothing is known of it. */
function settle(id: string, byId: ReadonlyMap<string, FinishedRun>): { id: string; run?: FinishedRun } {
  let run = byId.get(id);
  const seen = new Set<string>();
  while (run?.status === 'superseded' && run.supersededBy !== null && !seen.has(run.id)) {
    seen.add(run.id);
    run = byId.get(run.supersededBy);
  }
  return run ? { id, run } : { id };
}

/** A waiting run's reason, as its deployment and the API say it. */
export function describeWait(reason: WaitReason, approvalsWhere: string): string {
  if ('approval' in reason) return `approval of ${reason.approval.join(', ')}: /approve on ${approvalsWhere}`;
  if ('runs' in reason) return `the runs of ${reason.runs.map((r) => r.environment).join(', ')}`;
  if ('environmentBusy' in reason) return `run ${reason.environmentBusy.id} of the same environment`;
  return 'a revision that still has the environment (the system has applied none)';
}
