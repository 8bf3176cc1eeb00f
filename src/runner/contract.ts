// The contract between the app and the runner workflow, in one place: the inputs a dispatch sends
// (and the workflow declares), the run-name that carries the envsync run id back in `workflow_run`,
// the results file and its artifact, and the package the workflow installs. Both sides import it,
// so a rename on one side cannot leave the other behind.
import type { Activity } from '../engine/plan/types.js';
import type { ActivityRecord } from '../engine/run/executor.js';

/** The package envsync publishes under: what a runner installs unless `runs.package` names another. */
export const PACKAGE_NAME = '@envsync/cli';

/**
 * A package and an exact version (`NAME@1.2.3`, `@SCOPE/NAME@1.2.3-rc.1`): never a range or a tag,
 * so that a runner installs exactly what the operator named, whatever is published later.
 */
export const PACKAGE_SPEC = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*@\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** The package a runner installs by default: envsync's own, at the version of the app that dispatches. */
export const defaultPackage = (version: string) => `${PACKAGE_NAME}@${version}`;

/**
 * The app's URL as the workflow (`envsync init --app-url`), the runner and the app's default OIDC
 * audience all write it: without a trailing slash, since the audience must match to the character.
 */
export const appUrlOf = (url: string) => url.replace(/\/+$/, '');

/** The file `envsync run` writes its results to, in the checkout. */
export const RESULTS_FILE = 'envsync-results.json';

/** The artifact the app reads a run's results from; the run id keeps dispatches apart. */
export const RESULTS_ARTIFACT_PREFIX = 'envsync-results-';
export const resultsArtifactName = (runId: string) => `${RESULTS_ARTIFACT_PREFIX}${runId}`;

/** How the workflow's run-name ends: the app finds its run in a workflow run's title by this. */
export const runNameSuffix = (runId: string) => ` (run ${runId})`;

/** The envsync run a workflow run carries out, read from its title (the run-name). */
export const runIdOfTitle = (title: string): string | undefined => /\(run ([\w.-]+)\)$/.exec(title)?.[1];

/** What the app sends with each dispatch: every name here is an input the workflow declares. */
export type DispatchInputs = {
  /** PROJECT/ENVIRONMENT. */
  environment: string;
  action: 'deploy' | 'destroy';
  /** The commit the runner checks out. */
  sha: string;
  /** Approval gates already approved, comma-separated. */
  approved: string;
  /** Runner labels, as a JSON array. */
  'runs-on': string;
  /** The envsync run this dispatch carries out. */
  'run-id': string;
  /** The package and exact version the runner installs. */
  package: string;
};

export interface DispatchOf {
  runId: string;
  environment: string;
  action: 'deploy' | 'destroy';
  sha: string;
  gates: readonly string[];
  labels: readonly string[];
  package: string;
}

export function dispatchInputs(d: DispatchOf): DispatchInputs {
  return { environment: d.environment, action: d.action, sha: d.sha, approved: d.gates.join(','), 'runs-on': JSON.stringify(d.labels), 'run-id': d.runId, package: d.package };
}

/** The most lines, and characters, of a failed activity's log that its record carries (`logTail`). */
export const LOG_TAIL_LINES = 20;
export const LOG_TAIL_CHARS = 2000;

/** What `envsync run` writes to the results file, and the app records from the artifact. */
export interface RunResults {
  project: string;
  environment: string;
  action: 'deploy' | 'destroy';
  revision: string;
  status: 'success' | 'failure' | 'cancelled';
  /**
   * Each activity as it ended, where it sits in the graph and, for a failed one, the last lines of
   * its log (secrets masked; at most LOG_TAIL_LINES and LOG_TAIL_CHARS), so that a summary read
   * far from the runner's log can say why. Older runners wrote no `logTail`.
   */
  activities: (ActivityRecord & Pick<Activity, 'type' | 'dependsOn' | 'when'> & { logTail?: string[] })[];
  /** Each resource's outputs, sensitive ones masked. */
  outputs: Record<string, Record<string, unknown>>;
}

/**
 * What is wrong with `data` as the results of a run, if anything: the app reads them from an artifact
 * a workflow anyone with write access can change, and the runner checks its own before writing them.
 */
export function resultsProblem(data: unknown): string | undefined {
  const r = data as Partial<RunResults> | null;
  const fine =
    typeof r === 'object' &&
    r !== null &&
    typeof r.project === 'string' &&
    typeof r.environment === 'string' &&
    (r.action === 'deploy' || r.action === 'destroy') &&
    (r.status === 'success' || r.status === 'failure' || r.status === 'cancelled') &&
    Array.isArray(r.activities) &&
    r.activities.every((a) => typeof a?.id === 'string' && typeof a.status === 'string' && (a.logTail === undefined || (Array.isArray(a.logTail) && a.logTail.every((l) => typeof l === 'string')))) &&
    typeof r.outputs === 'object' &&
    r.outputs !== null;
  return fine ? undefined : `${RESULTS_FILE} is not the results of an envsync run`;
}

/** Where a runner asks the app for its run's sealed secrets (`Authorization: Bearer <OIDC token>`). */
export const secretsPath = (runId: string) => `/api/v1/runs/${encodeURIComponent(runId)}/secrets`;

/** What the runner sends: the `sealed://` references its environment's specs hold. */
export interface SecretsRequest {
  references: string[];
}

/** What the app answers: each reference's value, nothing else. */
export interface SecretsAnswer {
  secrets: Record<string, string>;
}

/** GitHub's `workflow_ref` claim of a workflow run of `workflow` on `branch` of `repo` (OWNER/REPO). */
export const workflowRefOf = (repo: string, workflow: string, branch: string) => `${repo}/.github/workflows/${workflow}@refs/heads/${branch}`;

/**
 * What the token of a runner the app dispatched for a run says, as the app expects it before it asks
 * GitHub anything (the workflow run, `run_id` and `sha`, is checked against GitHub's record after).
 */
export interface ExpectedRunner {
  /** OWNER/REPO of the run's config repository. */
  repository: string;
  /** The runner workflow on the sync branch (workflowRefOf). */
  workflowRef: string;
  /** Who dispatched it: the app's bot account (`SLUG[bot]`). */
  actor: string;
}

/** The claim of a runner's OIDC token that does not match the run, and why; undefined when all do. */
export function runnerClaimsProblem(claims: Record<string, unknown>, expected: ExpectedRunner): { claim: string; message: string } | undefined {
  const same = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
  if (!same(claims.repository, expected.repository)) return { claim: 'repository', message: `the token is of ${String(claims.repository)}, another repository than the run's` };
  if (claims.event_name !== 'workflow_dispatch') return { claim: 'event_name', message: `the token is of a ${String(claims.event_name)} workflow run; envsync dispatches its runs (workflow_dispatch)` };
  // Repository names compare without case; the workflow's path and the branch do not.
  const ref = typeof claims.workflow_ref === 'string' ? claims.workflow_ref : '';
  const [repoPart, ...rest] = ref.split('/.github/workflows/');
  const [expectedRepo, ...expectedRest] = expected.workflowRef.split('/.github/workflows/');
  if (!same(repoPart, expectedRepo!) || rest.join('/') !== expectedRest.join('/')) return { claim: 'workflow_ref', message: `the token is of ${ref || 'no workflow'}, the run's is ${expected.workflowRef}` };
  if (!same(claims.actor, expected.actor)) return { claim: 'actor', message: `the workflow run was started by ${String(claims.actor)}, not by the app (${expected.actor}): only a run envsync dispatched gets secrets` };
  if (typeof claims.run_id !== 'string' || !/^\d+$/.test(claims.run_id)) return { claim: 'run_id', message: 'the token names no workflow run' };
  return undefined;
}
