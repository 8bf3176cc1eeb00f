// `envsync run PROJECT/ENVIRONMENT [DIR]`: what a runner executes. Exit 0 when the run succeeds,
// 1 when it fails (or the specs the environment reads do not validate), 2 on a usage error.
import { appendFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readRepositoryConfig } from './repository-config.js';
import { DEFAULT_MAX_FILE_BYTES } from '../specs/parse.js';
import { readDirectory } from '../specs/read-directory.js';
import { readGitRevision, resolveRevision } from '../specs/read-git.js';
import { RunError, runEnvironment } from '../runner/run.js';
import { renderText, summarize } from '../render/findings.js';
import { parseCommandArgs, UsageError, usageLine, type CommandIO } from './io.js';
import { RUN_COMMAND } from './run-spec.js';
import { jobSummary } from '../render/run-summary.js';
import { resultsProblem } from '../runner/contract.js';
import { fetchSealedSecrets, secretsSourceFrom, UnsealError } from '../runner/unseal.js';

export async function runRun(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(RUN_COMMAND, argv);
  const [project, environment] = (positionals[0] ?? '').split('/');
  if (!project || !environment) throw new UsageError(`name the environment: ${usageLine(RUN_COMMAND)}`);
  if (values.action !== 'deploy' && values.action !== 'destroy') throw new UsageError('--action must be deploy or destroy');
  const runtime = values.runtime ?? process.env.ENVSYNC_CONTAINER_RUNTIME ?? 'docker';
  if (runtime !== 'docker' && runtime !== 'process') throw new UsageError('--runtime must be docker or process');
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError('--concurrency must be a whole number of at least 1');
  const dir = resolve(io.cwd, positionals[1] ?? '.');
  const { config } = readRepositoryConfig(dir);
  const options = { root: config.root, maxFileBytes: DEFAULT_MAX_FILE_BYTES };
  // A destroy runs what the environment was: the runner is given the revision that still has it.
  const files = values.ref ? readGitRevision(dir, values.ref, options) : readDirectory(dir, options);
  // The runner workflow names the commit in ENVSYNC_REVISION: Actions does not let a workflow set
  // GITHUB_SHA, which is the dispatched branch's tip, not necessarily the commit checked out.
  const revision = values.ref ? resolveRevision(dir, values.ref) : (process.env.ENVSYNC_REVISION || process.env.GITHUB_SHA || 'working tree');
  // Actions cancels a job with SIGINT then SIGTERM: the run stops its activities, records itself as
  // cancelled and still writes its results.
  // Read once, then taken out of this process's environment: the tools a run starts (tofu and its
  // providers, hooks, git) inherit it, and must not be able to ask for the job's OIDC token.
  const secretsSource = secretsSourceFrom(process.env);
  delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  try {
    const results = await runEnvironment({
      signal: controller.signal,
      files,
      root: config.root,
      sensitiveNames: config.sensitive?.names ?? [],
      project,
      environment,
      action: values.action,
      revision,
      approved: new Set((values.approved ?? process.env.ENVSYNC_APPROVED_GATES ?? '').split(',').filter(Boolean)),
      dryRun: values['dry-run'],
      runtime,
      concurrency,
      write: (line) => io.stdout(`${line}\n`),
      unseal: async (references) => {
        if ('missing' in secretsSource) throw new UnsealError(secretsSource.missing);
        return fetchSealedSecrets(secretsSource, references);
      },
    });
    // The app reads these back with the same check: results it would refuse are a bug here, said here.
    const problem = resultsProblem(results);
    if (problem) throw new Error(`envsync run made results the app would refuse: ${problem}`);
    writeFileSync(resolve(io.cwd, values.results), JSON.stringify(results, null, 2) + '\n');
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, jobSummary(results));
    io.stdout(`${results.status}: ${project}/${environment} ${values.action}; results in ${values.results}\n`);
    return results.status === 'success' ? 0 : 1;
  } catch (e) {
    if (e instanceof RunError) {
      io.stderr(`envsync: ${e.message}\n`);
      if (e.findings.length > 0) io.stderr(renderText(e.findings, summarize(e.findings, 0, 0)));
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}
