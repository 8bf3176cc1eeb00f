// A runner asks for its run's sealed secrets, with the OIDC token GitHub gave its job (verified by
// the app before this flow is asked): the run must be one envsync dispatched and that has not
// finished, the token's claims must name that run's workflow run (its repository, the runner
// workflow on the sync branch, the app as the actor who dispatched it, its id and commit), and each
// run's secrets go out once. The answer holds the values behind the references the runner sent,
// each one a secret of a spec its environment's run reads, and nothing else.
import { environmentClosure } from '../../engine/environment-closure.js';
import { sealedValuesOf } from '../../engine/sealed.js';
import { SpecIndex } from '../../engine/spec-index.js';
import { repoRefOf, type GitHubPort } from '../../github/port.js';
import { runnerClaimsProblem, workflowRefOf, type SecretsAnswer } from '../../runner/contract.js';
import { isFinished } from '../../system/records.js';
import { SystemError, type SystemService } from '../../system/service.js';
import { workflowRunOfDispatch } from './advance-runs.js';

/** A refusal of a runner: the claim (or state) that did not match, said in the answer and the log. */
export class RunnerRefused extends SystemError {
  constructor(
    readonly claim: string,
    message: string,
    status: SystemError['status'] = 403,
  ) {
    super(message, status);
  }
}

/** GitHub as the repository's installation sees it, and the app's own account there. */
export interface RunnerGitHub {
  portFor(installation: number): Promise<GitHubPort>;
  /** The app's bot login (`SLUG[bot]`): the actor of every workflow run it dispatches. */
  actor(installation: number): Promise<string>;
}

export interface SecretsAsked {
  runId: string;
  /** The verified claims of the runner's token. */
  claims: Record<string, unknown>;
  references: readonly string[];
  now?: Date;
}

export async function handOutSecrets(service: SystemService, github: RunnerGitHub, asked: SecretsAsked): Promise<SecretsAnswer> {
  const { records } = service;
  const run = await records.getRun(asked.runId);
  const tracking = run && (await records.getTracking(run.id));
  if (!run || !tracking) throw new RunnerRefused('run', `there is no run ${asked.runId} that envsync dispatches`, 404);
  if (tracking.dispatchRequestedAt === null) throw new RunnerRefused('run', `run ${run.id} was not dispatched (it is ${run.status}): only the runner of a dispatched run gets its secrets`);
  if (isFinished(run.status)) throw new RunnerRefused('run', `run ${run.id} is ${run.status}: a finished run gets no secrets`);
  const followed = await records.getRepository(tracking.repo);
  if (!followed?.installationId) throw new RunnerRefused('repository', `${tracking.repo} is not followed by an installation of the app any more`);

  // The workflow run that carries the run out, as GitHub knows it: the token must be of that one.
  const repo = repoRefOf(tracking.repo);
  const port = await github.portFor(followed.installationId);
  const workflowRun = tracking.workflowRunId !== null ? await port.getWorkflowRun(repo, tracking.workflowRunId) : await workflowRunOfDispatch(port, repo, run.id, tracking);
  if (!workflowRun) throw new RunnerRefused('run_id', `GitHub shows no workflow run of run ${run.id} yet`);
  if (tracking.workflowRunId === null) await records.updateTracking(run.id, { workflowRunId: workflowRun.id });
  const problem = runnerClaimsProblem(asked.claims, {
    repository: tracking.repo,
    workflowRef: workflowRefOf(tracking.repo, tracking.dispatch.workflow, tracking.dispatch.branch),
    workflowRun: { id: workflowRun.id, sha: workflowRun.headSha ?? run.revision },
    actor: await github.actor(followed.installationId),
  });
  if (problem) throw new RunnerRefused(problem.claim, `the token does not match run ${run.id}: ${problem.claim}: ${problem.message}`);

  const index = new SpecIndex((await service.snapshot()).specs);
  const values = sealedValuesOf(environmentClosure(index, run.project, run.environment).specs, index);
  const unknown = asked.references.filter((r) => !values.has(r));
  if (unknown.length > 0) {
    throw new SystemError(`the system holds no secret of ${run.project}/${run.environment}'s run at ${unknown.join(', ')}: change the secret again through the system API (envsync writes a new reference), or put the value back in Git`, 422);
  }
  // Last, once everything else holds: claimed in one conditional write, so that a replayed token
  // (or the same request at another replica) gets nothing.
  const at = (asked.now ?? new Date()).toISOString();
  if (!(await records.claimRunSecrets(run.id, at))) {
    const handed = (await records.getTracking(run.id))?.secretsHandedAt;
    throw new RunnerRefused('run', `the secrets of run ${run.id} were handed out at ${handed ?? 'an earlier request'}: each run gets them once; start a new run (envsync system run) to run again`, 409);
  }
  return { secrets: Object.fromEntries(asked.references.map((r) => [r, values.get(r)!])) };
}
