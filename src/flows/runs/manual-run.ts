// Someone pressed Run (the system API, `envsync system run`, later the console): a run of one
// environment at the revision its config repository applied, recorded with its job in one commit
// and then carried by the same lifecycle as a merge's run (flows/runs/advance-runs.ts): a
// deployment, the environment's queue, the dispatch, the results and the summary.
//
// The runner runs what Git holds. An environment whose specs were changed outside Git and not yet
// brought back would run without those changes, so it is refused until the bot pull request that
// carries them is merged. Approval gates hold a manual run as they hold a merge's, and are approved
// on the run itself (the API, `envsync system approve`), by someone other than who started it.
import { randomUUID } from 'node:crypto';
import { runnerLabels } from '../../config/config.js';
import { environmentClosure } from '../../engine/environment-closure.js';
import { refOf } from '../../engine/plan/changes.js';
import { RUN_OWN_APPROVALS } from '../../engine/run-lifecycle.js';
import { owningRepository } from '../config-repository.js';
import { buildActivities } from '../../engine/plan/activities.js';
import { runInputs } from '../../engine/plan/dependencies.js';
import { SpecIndex } from '../../engine/spec-index.js';
import { repoRefOf } from '../../github/port.js';
import { repositoryQueueOf, type NewJob } from '../../system/jobs/queue.js';
import { SystemError, type SystemService } from '../../system/service.js';
import type { ConfigRepository, RunAction, RunRecord } from '../../system/records.js';
import type { RunSelection } from './advance-runs.js';

export interface ManualRunInput {
  project: string;
  environment: string;
  action: RunAction;
  /** Who pressed Run: the API token's name, the CLI user. */
  actor: string;
}

/** The job that moves a repository's runs on (the worker's `release-runs`). */
export const releaseRunsJob = (followed: { repo: string; installationId: number }, which: RunSelection): NewJob => {
  return { task: 'release-runs', queue: repositoryQueueOf(followed.repo), payload: { installation: followed.installationId, repo: repoRefOf(followed.repo), which } };
};

export async function startManualRun(service: SystemService, input: ManualRunInput): Promise<RunRecord> {
  const { project, environment, action } = input;
  const name = `${project}/${environment}`;
  const loaded = await service.snapshot();
  const index = new SpecIndex(loaded.specs);
  const closure = environmentClosure(index, project, environment);
  if (!closure.environment) throw new SystemError(`no environment ${name} in the system (envsync system list --kind Environment lists those there are)`, 404);

  const followed = await owningRepository(service.records, project);
  const ready = followed && readyToDispatch(followed);
  if (!ready) {
    throw new SystemError(
      followed
        ? `${followed.repo}, which owns project ${project}, has ${followed.appliedRevision === null ? 'no applied revision' : followed.installationId === null ? 'sent no event yet' : 'no runner settings recorded'}: envsync dispatches a run to its runner workflow once a push to its sync branch has been applied`
        : `no followed config repository owns project ${project}: envsync runs an environment through the runner workflow of the repository that owns it (envsync system follow OWNER/NAME)`,
      409,
    );
  }
  const outsideGit: string[] = [];
  for (const spec of closure.specs) {
    const stored = await service.find({ kind: spec.kind.kind, project: spec.project, name: spec.name, ...(spec.version !== undefined ? { version: spec.version } : {}) });
    if (stored?.origin === 'system') outsideGit.push(`${spec.kind.kind} ${spec.project}/${spec.name}${spec.version !== undefined ? ` v${spec.version}` : ''}`);
  }
  if (outsideGit.length > 0) {
    throw new SystemError(
      `${name} reads specs changed outside Git that ${ready.repo} does not hold yet (${outsideGit.join(', ')}): the runner runs what Git holds, so it would run without those changes. They come to Git in the bot pull request envsync opens for them; run ${name} once it is merged (its merge runs it anyway)`,
      409,
    );
  }
  // A run of the environment already waiting runs the same state or a newer one (a merge recorded
  // before its apply): it is the one to approve or wait for.
  const waiting = (await service.records.listUnfinishedRuns(ready.repo)).find((u) => u.tracking.dispatch.environment === name && u.tracking.dispatchRequestedAt === null);
  if (waiting) {
    throw new SystemError(`${name} has run ${waiting.run.id} waiting${waiting.run.reason ? ` for ${waiting.run.reason}` : ''}: it runs the state a new run would, or a newer one; approve it, or start a run once it has gone`, 409);
  }
  const inputs = runInputs(closure.environment, index);
  if (!inputs) throw new SystemError(`${name} names a template the system does not hold: fix it before running it`, 409);
  const activities = buildActivities(inputs.template, index, action);
  const gates = activities.filter((a) => a.type === 'approval').map((a) => a.id);

  const id = `manual-${randomUUID()}`;
  const agents = ((closure.environment.data.spec as { agents?: { name: string }[] } | undefined)?.agents ?? []).map((a) => a.name);
  const { runner } = ready;
  // The run, its tracking and the job that dispatches it commit together: none is left without the others.
  return service.records.createRun(
    { id, project, environment, action, revision: ready.appliedRevision, status: 'waiting', trigger: 'manual', actor: input.actor, activities, outputs: {} },
    {
      repo: ready.repo,
      dispatch: {
        order: 0,
        environment: name,
        action,
        branch: runner.branch,
        workflow: runner.workflow,
        sha: ready.appliedRevision,
        gates,
        after: [],
        labels: runnerLabels(runner, agents),
        // Its gates are approved on the run itself: there is no pull request.
        approvals: gates.length > 0 ? [{ number: RUN_OWN_APPROVALS, subject: id }] : [],
        ...(runner.package ? { package: runner.package } : {}),
        reads: closure.specs.map(refOf),
      },
    },
    releaseRunsJob(ready, { run: id }),
  );
}

/**
 * Approves the gates of a manual run (all, or the one named) as `actor`: the API token's or the CLI
 * user's name. Four eyes, as on a pull request: whoever started the run cannot approve it.
 */
export async function approveManualRun(service: SystemService, input: { runId: string; actor: string; gate?: string }): Promise<RunRecord> {
  const { records } = service;
  const run = await records.getRun(input.runId);
  const tracking = run && (await records.getTracking(run.id));
  if (!run || !tracking) throw new SystemError(`no run ${input.runId} (envsync system runs lists them)`, 404);
  const own = tracking.dispatch.approvals.find((a) => a.number === RUN_OWN_APPROVALS);
  if (run.trigger !== 'manual' || !own) throw new SystemError(`run ${run.id} is approved on its pull request (/approve), not here`, 409);
  if (run.status !== 'waiting') throw new SystemError(`run ${run.id} is ${run.status}: only a waiting run can be approved`, 409);
  if (run.actor === input.actor) throw new SystemError(`${input.actor} started run ${run.id}: someone else approves it`, 403);
  // A deploy of an environment deleted since would build what nothing is left to destroy.
  if (run.action === 'deploy' && !(await service.find({ kind: 'Environment', project: run.project, name: run.environment }))) {
    throw new SystemError(`run ${run.id} deploys ${run.project}/${run.environment}, which has been deleted since it started: it is not approved`, 409);
  }
  const { gates } = tracking.dispatch;
  if (input.gate !== undefined && !gates.includes(input.gate)) throw new SystemError(`run ${run.id} has no gate ${input.gate} (its gates: ${gates.join(', ')})`, 400);
  for (const gate of input.gate !== undefined ? [input.gate] : gates) {
    await records.recordApproval({ repo: tracking.repo, pullNumber: RUN_OWN_APPROVALS, sha: own.subject, gate, user: input.actor, decision: 'approve' });
  }
  const followed = await records.getRepository(tracking.repo);
  if (followed?.installationId != null) await records.jobs.add(releaseRunsJob({ repo: followed.repo, installationId: followed.installationId }, { run: run.id }));
  return run;
}

type Ready = ConfigRepository & { appliedRevision: string; installationId: number; runner: NonNullable<ConfigRepository['runner']> };

function readyToDispatch(r: ConfigRepository): Ready | undefined {
  return r.appliedRevision !== null && r.installationId !== null && r.runner !== null ? (r as Ready) : undefined;
}
