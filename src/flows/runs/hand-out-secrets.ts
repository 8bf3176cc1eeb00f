// A runner asks for its run's sealed secrets, with the OIDC token GitHub gave its job (verified by
// the app before this flow is asked). In this order, so that a token that is not the run's learns
// nothing and costs nothing: the token's repository must be one the app follows, and the run one of
// that repository (else there is no such run); the run must be dispatched and not finished; the
// token must be of the runner workflow on the sync branch, dispatched by the app; only then is GitHub
// asked about the token's workflow run, which must be the one carrying out this run (by its
// run-name, the one recorded if any) for the commit the token names. Each run's secrets go out
// once. The answer holds the values behind the references the runner sent, each a secret of a spec
// the run reads (as recorded when the run was, else its environment's closure now), and nothing else.
import { environmentClosure } from '../../engine/environment-closure.js';
import { sealedValuesOf } from '../../engine/sealed.js';
import { SpecIndex } from '../../engine/spec-index.js';
import { repoRefOf, type GitHubPort } from '../../github/port.js';
import { runNameSuffix, runnerClaimsProblem, workflowRefOf, type SecretsAnswer } from '../../runner/contract.js';
import type { LoadedSpec } from '../../specs/load.js';
import { isFinished, type RunRecord, type RunTracking } from '../../system/records.js';
import { SystemError, type SystemService } from '../../system/service.js';

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

/** GitHub as the repository's installation sees it; its commit identity is the app's bot (`SLUG[bot]`), the actor of every workflow run the app dispatches. */
export interface RunnerGitHub {
  portFor(installation: number): Promise<GitHubPort>;
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
  const { claims } = asked;
  const repository = typeof claims.repository === 'string' ? claims.repository : '';
  const followed = repository ? await records.getRepository(repository) : undefined;
  if (!followed?.installationId) throw new RunnerRefused('repository', `the token is of ${repository || 'no repository'}, which this app does not follow`);
  const run = await records.getRun(asked.runId);
  const tracking = run && (await records.getTracking(run.id));
  // A run of another repository is, to this token, no run at all.
  if (!run || !tracking || tracking.repo.toLowerCase() !== repository.toLowerCase()) throw new RunnerRefused('run', `there is no run ${asked.runId} of ${repository}`, 404);
  if (tracking.dispatchRequestedAt === null) throw new RunnerRefused('run', `run ${run.id} was not dispatched (it is ${run.status}): only the runner of a dispatched run gets its secrets`);
  if (isFinished(run.status)) throw new RunnerRefused('run', `run ${run.id} is ${run.status}: a finished run gets no secrets`);
  const port = await github.portFor(followed.installationId);
  const problem = runnerClaimsProblem(claims, {
    repository: tracking.repo,
    workflowRef: workflowRefOf(tracking.repo, tracking.dispatch.workflow, tracking.dispatch.branch),
    actor: (await port.commitIdentity()).name,
  });
  if (problem) throw new RunnerRefused(problem.claim, `the token does not match run ${run.id}: ${problem.claim}: ${problem.message}`);
  await checkWorkflowRun(port, service, run, tracking, claims);

  const snapshot = await service.snapshot();
  const index = new SpecIndex(snapshot.specs);
  const values = sealedValuesOf(readsOf(run, tracking, index), index, followed.runner?.sensitiveNames);
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

/**
 * The token's workflow run must carry out this run: the one recorded for it, or (none recorded yet)
 * one GitHub shows with the run's run-name, which the app's dispatch gave it (the token's actor, the
 * app, says it dispatched it: a workflow run someone dispatched by hand with the same name is refused
 * before this, on its actor). Its commit is the token's `sha`. Recorded once found.
 */
async function checkWorkflowRun(port: GitHubPort, service: SystemService, run: RunRecord, tracking: RunTracking, claims: Record<string, unknown>): Promise<void> {
  const id = Number(claims.run_id);
  if (tracking.workflowRunId !== null && tracking.workflowRunId !== id) throw new RunnerRefused('run_id', `the token is of workflow run ${id}, run ${run.id} is carried out by ${tracking.workflowRunId}`);
  const workflowRun = await port.getWorkflowRun(repoRefOf(tracking.repo), id);
  if (!workflowRun?.displayTitle.endsWith(runNameSuffix(run.id))) throw new RunnerRefused('run_id', `workflow run ${id} does not carry out run ${run.id}`);
  if (workflowRun.headSha !== undefined && claims.sha !== workflowRun.headSha) throw new RunnerRefused('sha', `the token is of commit ${String(claims.sha)}, workflow run ${id} of ${workflowRun.headSha}`);
  if (tracking.workflowRunId === null) await service.records.updateTracking(run.id, { workflowRunId: id });
}

/**
 * The specs the run reads, as the system holds them now: those recorded with the run (for a destroy,
 * what the environment read before the merge deleted it; the specs still held answer, a deleted
 * spec's own secrets are gone with it), else the environment's closure now (a run recorded before
 * runs recorded what they read).
 */
function readsOf(run: RunRecord, tracking: RunTracking, index: SpecIndex): LoadedSpec[] {
  const reads = tracking.dispatch.reads;
  if (!reads) return environmentClosure(index, run.project, run.environment).specs;
  return reads.flatMap((key) => index.find(key.kind, key.project, key.name).filter((s) => s.version === key.version));
}
