// Moving runs on: every unfinished run of a repository, whatever started it, gets its next step from
// one pure decision (engine/run-lifecycle.ts), and this flow carries it out: the deployment that
// shows the run, the dispatch to the runner workflow, the reason it waits, not run, superseded.
// Called after a merge, a manual run, an /approve on a merged pull request and a finished run,
// always in the repository's job queue, so that two releases of one run never race.
import { decisionsByGate } from '../../engine/approvals.js';
import { decideRuns, describeWait, RUN_OWN_APPROVALS, type Barrier, type FinishedRun, type LifecycleRun, type NextStep } from '../../engine/run-lifecycle.js';
import { waveBarrierId } from '../../engine/plan/waves.js';
import type { GitHubPort, PullRequest, RepoRef, WorkflowRunState } from '../../github/port.js';
import { describeTrigger } from '../../render/run-summary.js';
import { firstAndMore } from '../../render/fit.js';
import { defaultPackage, dispatchInputs, runNameSuffix } from '../../runner/contract.js';
import { packageVersion } from '../../version.js';
import type { ApprovalRecord, RunAction, RunRecord, RunTracking, Records } from '../../system/records.js';

export interface StartedRun {
  id: string;
  environment: string;
  action: RunAction;
  /** Dispatched to a runner, not run, superseded by a newer run, or why it waits. */
  state: 'dispatched' | { notRun: string } | { waitingFor: string } | { supersededBy: string };
}

/** Which runs the caller wants to hear about (all unfinished runs move either way). */
export type RunSelection = { revision: string } | { pullRequest: number } | { run: string } | { all: true };

/**
 * How far back a workflow run is looked for when a dispatch's answer was lost: GitHub's clock and
 * ours may differ a little.
 */
const CLOCK_SLACK_MS = 5 * 60_000;

type Unfinished = { run: RunRecord; tracking: RunTracking };

export async function advanceRuns(port: GitHubPort, records: Records, repo: RepoRef, which: RunSelection): Promise<StartedRun[]> {
  const repoName = `${repo.owner}/${repo.repo}`;
  const unfinished = await records.listUnfinishedRuns(repoName);
  if (unfinished.length === 0) return [];
  const approved = await approvedGates(records, repoName, unfinished);
  const { barriers, read } = await waveBarriers(records, unfinished);
  const steps = decideRuns(
    unfinished.map(({ run, tracking }) => lifecycleOf(run, tracking, approved.get(run.id)!)),
    await knownRuns(records, unfinished, barriers, read),
    barriers,
  );

  // Deployments first, in the runs' order (a run superseded before it was shown needs none).
  const shown: Unfinished[] = [];
  for (const { run, tracking } of unfinished) shown.push({ run, tracking: steps.get(run.id)!.step === 'superseded' ? tracking : await withDeployment(port, records, repo, run, tracking) });
  // A rollout that stopped is said on its pull request before its runs are marked (a job repeated
  // after a crash finds them finished). What stopped it: the runs of its merge that failed, read from
  // the store so that a repeated job names them as the first one did; else the roots this decision
  // found (a run GitHub refused to dispatch is not run, not failed).
  const stopped = shown.filter(({ run, tracking }) => steps.get(run.id)!.step === 'not-run' && tracking.dispatch.wave && tracking.dispatch.wave.index > 0);
  const failedOf = new Map<string, string[]>();
  for (const revision of new Set(stopped.map(({ run }) => run.revision))) {
    const failed = (await records.listRuns({ revision })).filter((r) => r.status === 'failure' || r.status === 'cancelled').reverse().map((r) => `${r.project}/${r.environment}`);
    const roots = stopped.filter(({ run }) => run.revision === revision).map(({ run }) => (steps.get(run.id) as Extract<NextStep, { step: 'not-run' }>).cause.environment);
    failedOf.set(revision, failed.length > 0 ? failed : [...new Set(roots)]);
  }
  await tellRolloutStopped(port, records, repo, stopped, failedOf);
  const started: StartedRun[] = [];
  let refused = false;
  for (const { run, tracking } of shown) {
    const step = steps.get(run.id)!;
    const state = await carryOut(port, records, repo, { run, tracking }, step, failedOf.get(run.revision));
    // A run meant for GitHub that ended not run: GitHub refused its dispatch.
    refused ||= (step.step === 'dispatch' || step.step === 'handed-over') && typeof state === 'object' && 'notRun' in state;
    if (state && selected(which, run, tracking)) started.push({ id: run.id, environment: tracking.dispatch.environment, action: tracking.dispatch.action, state });
  }
  // A dispatch GitHub refused finished its run: the runs after it (of its environment, or depending
  // on it) are decided again now rather than at the next event. Each pass finishes a run, so this ends.
  return refused ? [...started, ...(await advanceRuns(port, records, repo, which)).filter((s) => !started.some((t) => t.id === s.id))] : started;
}

/** Marks the note of a merge's stopped rollout on its pull request, found and updated in place. */
const rolloutMarker = (revision: string) => `<!-- envsync:rollout ${revision} -->`;

/**
 * Says on the merged pull requests that a rollout stopped: the failure at its root, and the runs of
 * the later waves that are not run (their deployments say so too). Told before the runs are marked,
 * and from the store as well as from this decision: a job repeated after a crash half-way through
 * the marking finds some marked already, and the note still names them all. Ensured: repeated, it
 * writes nothing new.
 */
async function tellRolloutStopped(port: GitHubPort, records: Records, repo: RepoRef, stopped: readonly Unfinished[], failedOf: ReadonlyMap<string, readonly string[]>): Promise<void> {
  for (const revision of new Set(stopped.map(({ run }) => run.revision))) {
    const now = stopped.filter(({ run }) => run.revision === revision);
    const causes = failedOf.get(revision) ?? [];
    // Those an earlier attempt marked, with their tracking, in one read.
    const marked = (await records.listRevisionRuns(revision)).filter(({ run, tracking }) => run.status === 'not_run' && (tracking.dispatch.wave?.index ?? 0) > 0 && !now.some((u) => u.run.id === run.id));
    const waves = new Map<string, string[]>();
    for (const { tracking } of [...marked, ...now].sort((a, b) => a.tracking.dispatch.order - b.tracking.dispatch.order)) {
      const wave = tracking.dispatch.wave!.name;
      waves.set(wave, [...(waves.get(wave) ?? []), tracking.dispatch.environment]);
    }
    const list = (names: readonly string[]) => firstAndMore(names.map((e) => `\`${e}\``), 5);
    const lines = [...waves].map(([wave, environments]) => `- wave \`${wave}\`: ${environments.length} environment${environments.length === 1 ? '' : 's'} not run (${list(environments)})`);
    const marker = rolloutMarker(revision);
    const body = `${marker}\n### envsync: rollout of \`${revision.slice(0, 7)}\` stopped\n\n${list(causes)} did not succeed, so the waves after were not run:\n\n${lines.join('\n')}\n\nFix the cause and merge again (or start the environments' runs by hand).\n`;
    for (const number of [...new Set(now.flatMap(({ tracking }) => tracking.dispatch.approvals.map((a) => a.number)).filter((n) => n !== RUN_OWN_APPROVALS))]) {
      await port.ensureComment(repo, number, marker, body);
    }
  }
}

const selected = (which: RunSelection, run: RunRecord, tracking: RunTracking) =>
  'all' in which || ('revision' in which ? run.revision === which.revision : 'run' in which ? run.id === which.run : tracking.dispatch.approvals.some((a) => a.number === which.pullRequest));

function lifecycleOf(run: RunRecord, tracking: RunTracking, approved: ReadonlySet<string>): LifecycleRun {
  const { dispatch } = tracking;
  return {
    id: run.id,
    environment: dispatch.environment,
    status: run.status,
    handedOver: tracking.dispatchRequestedAt !== null,
    unapproved: dispatch.gates.filter((gate) => !approved.has(gate)),
    after: [...dispatch.after, ...(dispatch.afterWaves ?? []).map((w) => waveBarrierId(w.revision, w.index))],
    hasRevision: dispatch.sha !== undefined,
    manual: run.trigger === 'manual',
  };
}

/**
 * The runs the unfinished ones depend on that are not among them, followed through supersessions;
 * those the wave barriers read already (`read`) are not read again, one query each.
 */
async function knownRuns(records: Records, unfinished: readonly Unfinished[], barriers: ReadonlyMap<string, Barrier>, read: ReadonlyMap<string, RunRecord>): Promise<Map<string, FinishedRun>> {
  const known = new Map<string, FinishedRun>();
  const have = new Set(unfinished.map((u) => u.run.id));
  const queue = [...unfinished.flatMap((u) => u.tracking.dispatch.after).filter((id) => !barriers.has(id)), ...[...barriers.values()].flatMap((b) => b.members)].filter((id) => !have.has(id));
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (known.has(id) || have.has(id)) continue;
    const run = read.get(id) ?? (await records.getRun(id));
    if (!run) continue;
    known.set(id, { id, environment: `${run.project}/${run.environment}`, status: run.status, supersededBy: run.supersededBy });
    if (run.supersededBy !== null) queue.push(run.supersededBy);
  }
  return known;
}

/**
 * The waves the unfinished runs wait for, each as one barrier over the runs of its merge in that wave
 * (read once per merge, whatever the number of runs that wait for it), and the runs read for them.
 */
async function waveBarriers(records: Records, unfinished: readonly Unfinished[]): Promise<{ barriers: Map<string, Barrier>; read: Map<string, RunRecord> }> {
  const barriers = new Map<string, Barrier>();
  const read = new Map<string, RunRecord>();
  // Every merge whose waves a run waits for: its own, or an older one's that it took over.
  for (const revision of new Set(unfinished.flatMap(({ tracking }) => (tracking.dispatch.afterWaves ?? []).map((w) => w.revision)))) {
    const runs = await records.listRevisionRuns(revision);
    for (const { run, tracking } of runs) {
      read.set(run.id, run);
      const wave = tracking.dispatch.wave;
      if (!wave) continue;
      const id = waveBarrierId(revision, wave.index);
      const barrier = barriers.get(id) ?? { label: `wave ${wave.name} of ${revision.slice(0, 7)}`, members: [] as string[] };
      (barrier.members as string[]).push(run.id);
      barriers.set(id, barrier);
    }
  }
  return { barriers, read };
}

/** Every run is shown as a GitHub Deployment, found by its run id when an earlier attempt died before recording it. */
async function withDeployment(port: GitHubPort, records: Records, repo: RepoRef, run: RunRecord, tracking: RunTracking): Promise<RunTracking> {
  if (tracking.deploymentId !== null) return tracking;
  const environment = tracking.dispatch.environment;
  // The revision the run belongs to (a destroy's merge, though it runs the commit before it).
  const deployment = await port.ensureDeployment(repo, {
    ref: run.revision,
    environment,
    description: `envsync ${run.action} of ${environment}: ${describeTrigger(run)}`,
    payload: { runId: run.id, action: run.action, trigger: run.trigger },
  });
  return records.updateTracking(run.id, { deploymentId: deployment });
}

/** `failed`: for a run of a stopped rollout, the runs of its merge that failed. */
async function carryOut(port: GitHubPort, records: Records, repo: RepoRef, { run, tracking }: Unfinished, step: NextStep, failed?: readonly string[]): Promise<StartedRun['state'] | undefined> {
  const { dispatch } = tracking;
  const repoName = `${repo.owner}/${repo.repo}`;
  const tell = async (state: 'queued' | 'error' | 'inactive', description: string, logUrl?: string) => {
    if (tracking.deploymentId !== null) await port.ensureDeploymentStatus(repo, tracking.deploymentId, { state, description, ...(logUrl ? { logUrl } : {}) });
  };
  const dispatched = () => tell('queued', `dispatched to ${dispatch.workflow}`, port.webUrl(`${repoName}/actions/workflows/${dispatch.workflow}`));
  const finishedAt = new Date().toISOString();
  const notRun = async (reason: string) => {
    await tell('error', `not run: ${reason}`);
    await records.updateRun(run.id, { status: 'not_run', reason, finishedAt });
    return { notRun: reason };
  };

  switch (step.step) {
    case 'handed-over':
      // On GitHub: once it runs, only its workflow run moves it.
      if (run.status === 'in_progress') return undefined;
      // Dispatched (or its answer lost in a crash): finish the dispatch, and say so on the deployment.
      if (tracking.dispatchedAt === null) {
        const refused = await dispatchOrRefusal(port, records, repo, run, tracking);
        if (refused) return notRun(refused);
      }
      await dispatched();
      return 'dispatched';
    case 'dispatch': {
      const refused = await dispatchOrRefusal(port, records, repo, run, tracking);
      if (refused) return notRun(refused);
      await dispatched();
      return 'dispatched';
    }
    case 'superseded': {
      const reason = `superseded by run ${step.by}, which runs the newer state of ${dispatch.environment}`;
      // The deployment first: a crash after it repeats an ensured status, never a lost one.
      await tell('inactive', reason);
      await records.updateRun(run.id, { status: 'superseded', supersededBy: step.by, reason, finishedAt });
      return { supersededBy: step.by };
    }
    case 'not-run':
      // A run of a later wave: the rollout stopped at the wave before it.
      return notRun(dispatch.wave && dispatch.wave.index > 0 ? `the rollout stopped: ${failed?.length ? firstAndMore(failed, 3) : step.cause.environment} did not succeed` : `${step.dependency.environment} did not succeed`);
    case 'wait': {
      const where = approvalsWhere(run, tracking);
      const waitingFor = describeWait(step.reason, where);
      // Told once per reason: the store remembers what the deployment says.
      if (run.reason !== waitingFor) {
        await tell('queued', `waiting for ${waitingFor}`);
        await records.updateRun(run.id, { reason: waitingFor });
      }
      return { waitingFor };
    }
  }
}

/**
 * The dispatch, or why GitHub refused it for good (the workflow missing, an input it does not
 * declare): such a run is not run, saying why, instead of failing the job again and again and
 * holding its environment, and the apply of its merge, behind it. Other failures are thrown: the
 * job is retried.
 */
async function dispatchOrRefusal(port: GitHubPort, records: Records, repo: RepoRef, run: RunRecord, tracking: RunTracking): Promise<string | undefined> {
  try {
    await dispatchOnce(port, records, repo, run, tracking);
    return undefined;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status !== 404 && status !== 422) throw e;
    const message = (e as Error).message;
    const hint = /unexpected inputs/i.test(message)
      ? ': the workflow was written by an older envsync init; run envsync init --force and commit it'
      : status === 404
        ? `: is .github/workflows/${tracking.dispatch.workflow} on ${tracking.dispatch.branch}? (envsync init writes it)`
        : '';
    return `GitHub refused the dispatch of ${tracking.dispatch.workflow} (${status}: ${message})${hint}`;
  }
}

/** The workflow run a requested dispatch started, found by the run id its run-name ends with. */
export function workflowRunOfDispatch(port: GitHubPort, repo: RepoRef, runId: string, tracking: RunTracking): Promise<WorkflowRunState | undefined> {
  const since = new Date(Date.parse(tracking.dispatchRequestedAt!) - CLOCK_SLACK_MS).toISOString();
  return port.findWorkflowRun(repo, tracking.dispatch.workflow, runNameSuffix(runId), since);
}

/**
 * Dispatches a run's workflow exactly once as far as this app can tell: the intent is recorded first,
 * so a job resumed after a crash looks for the workflow run the lost dispatch started before it
 * dispatches again (and a duplicate that still slips through is cancelled when it reports in).
 */
async function dispatchOnce(port: GitHubPort, records: Records, repo: RepoRef, run: RunRecord, tracking: RunTracking): Promise<void> {
  const { dispatch } = tracking;
  if (tracking.dispatchRequestedAt !== null) {
    const found = await workflowRunOfDispatch(port, repo, run.id, tracking);
    if (found) {
      await records.updateTracking(run.id, { dispatchedAt: new Date().toISOString(), workflowRunId: tracking.workflowRunId ?? found.id });
      return;
    }
  } else {
    await records.updateTracking(run.id, { dispatchRequestedAt: new Date().toISOString() });
  }
  await records.updateRun(run.id, { status: 'queued', reason: null });
  await port.dispatchWorkflow(
    repo,
    dispatch.workflow,
    dispatch.branch,
    dispatchInputs({ runId: run.id, environment: dispatch.environment, action: dispatch.action, sha: dispatch.sha!, gates: dispatch.gates, labels: dispatch.labels, package: dispatch.package ?? defaultPackage(packageVersion()) }),
  );
  await records.updateTracking(run.id, { dispatchedAt: new Date().toISOString() });
}

/** Where a run's gates are approved: its merged pull requests, or the run itself (a manual run). */
function approvalsWhere(run: RunRecord, { dispatch }: RunTracking): string {
  if (dispatch.approvals.some((a) => a.number === RUN_OWN_APPROVALS)) return `the run: envsync system approve ${run.id} (or POST /api/v1/runs/${run.id}/approvals), by someone other than ${run.actor ?? 'who started it'}`;
  return dispatch.approvals.length > 0 ? dispatch.approvals.map((a) => `#${a.number}`).join(' or ') : 'the merged pull request';
}

/** For each run, the gates approved by the latest decision on each across the merged pull requests it honours. */
async function approvedGates(records: Records, repoName: string, runs: readonly Unfinished[]): Promise<Map<string, Set<string>>> {
  const cache = new Map<string, ApprovalRecord[]>();
  const out = new Map<string, Set<string>>();
  for (const { run, tracking } of runs) {
    const all: ApprovalRecord[] = [];
    for (const source of tracking.dispatch.approvals) {
      const key = `${source.number}\u0000${source.subject}`;
      if (!cache.has(key)) cache.set(key, await records.listApprovals(repoName, source.number, source.subject));
      all.push(...cache.get(key)!);
    }
    const decisions = decisionsByGate(all);
    out.set(run.id, new Set([...decisions].filter(([, d]) => d.decision === 'approve').map(([gate]) => gate)));
  }
  return out;
}

/** The pull request a merge commit merged (closed), if it came from one. */
export async function mergedPullRequest(port: GitHubPort, repo: RepoRef, sha: string): Promise<PullRequest | undefined> {
  return (await port.pullRequestsOfCommit(repo, sha)).find((pr) => pr.state === 'closed');
}
