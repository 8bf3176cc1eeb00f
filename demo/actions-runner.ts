// GitHub Actions' part of a run, played locally: a workflow_dispatch the app made is carried out the
// way Actions would, from the workflow file as committed on the dispatched ref, its inputs put
// through the workflow's own expressions, its `run:` step in bash and its artifact uploaded to the
// fake GitHub. Only what the runner workflow of `envsync init` uses is understood; anything else is
// an error, so that a change to that workflow cannot pass here unnoticed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { parse } from 'yaml';
import type { FakeGitHub } from './fake-github.js';

export interface Dispatch {
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
}

export interface WorkflowRunResult {
  /** The workflow run's title, from the workflow's run-name. */
  title: string;
  /** The commit of the dispatched ref: the workflow run's head. */
  headSha: string;
  labels: string[];
  conclusion: 'success' | 'failure';
  /**
   * The job's log: each step's name and output, as the Actions log shows it but for one thing:
   * values a step asked to mask are NOT masked here, so that a secret the step printed shows.
   */
  log: string;
  /** What the steps wrote to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** The runner's working folder (the checkout). */
  workspace: string;
  artifacts: string[];
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: string;
}

interface InputSpec {
  required?: boolean;
  default?: string;
  type?: string;
  options?: string[];
}

/** `${{ inputs.NAME }}` and `${{ fromJSON(inputs.NAME) }}`: the expressions the runner workflow uses. */
function resolver(inputs: Record<string, string>) {
  const value = (expression: string): unknown => {
    const e = expression.trim();
    let m = /^inputs\.([\w-]+)$/.exec(e);
    if (m) return inputs[m[1]!] ?? '';
    m = /^fromJSON\(inputs\.([\w-]+)\)$/.exec(e);
    if (m) return JSON.parse(inputs[m[1]!] ?? 'null') as unknown;
    throw new Error(`the local Actions runner does not evaluate \${{ ${e} }}`);
  };
  return (text: unknown): unknown => {
    if (typeof text !== 'string') return text;
    const whole = /^\$\{\{(.*)\}\}$/.exec(text.trim());
    if (whole && !whole[1]!.includes('}}')) return value(whole[1]!);
    return text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => String(value(e)));
  };
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // Actions runs `run:` steps as `bash --noprofile --norc -eo pipefail {0}`.
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * Carries out a dispatch: `workspace` is the runner's working folder, `env` what the runner's
 * machine has (PATH with its tools, repository URLs), `runId` the workflow run's id.
 */
export async function runDispatch(
  github: FakeGitHub,
  dispatch: Dispatch,
  options: { workspace: string; env: NodeJS.ProcessEnv; runId: number; onStart?: (run: { title: string; headSha: string }) => Promise<void> },
): Promise<WorkflowRunResult> {
  const headSha = github.sha(dispatch.ref);
  const workflow = parse(github.git(['show', `${headSha}:.github/workflows/${dispatch.workflow}`])) as {
    'run-name'?: string;
    on: { workflow_dispatch: { inputs: Record<string, InputSpec> } };
    permissions?: Record<string, string>;
    jobs: Record<string, { 'runs-on': unknown; steps: Step[] }>;
  };
  // Inputs as GitHub checks them at dispatch: declared, required ones present, choices respected.
  const declared = workflow.on.workflow_dispatch.inputs;
  for (const name of Object.keys(dispatch.inputs)) if (!declared[name]) throw new Error(`the workflow declares no input "${name}": GitHub refuses the dispatch`);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const given = dispatch.inputs[name] ?? spec.default;
    if (given === undefined && spec.required) throw new Error(`input "${name}" is required: GitHub refuses the dispatch`);
    if (spec.type === 'choice' && given !== undefined && !spec.options?.includes(given)) throw new Error(`input "${name}" must be one of ${spec.options?.join(', ')}`);
    inputs[name] = given ?? '';
  }
  const resolve = resolver(inputs);
  const jobs = Object.values(workflow.jobs);
  if (jobs.length !== 1) throw new Error('the local Actions runner runs workflows of one job');
  const job = jobs[0]!;
  const labels = resolve(job['runs-on']);
  const title = String(resolve(workflow['run-name'] ?? dispatch.workflow));

  await options.onStart?.({ title, headSha });
  mkdirSync(options.workspace, { recursive: true });
  const summaryFile = join(options.workspace, '..', `step-summary-${options.runId}.md`);
  writeFileSync(summaryFile, '');
  const log: string[] = [];
  const artifacts: string[] = [];
  let failed = false;
  for (const step of job.steps) {
    const runs = step.if === undefined ? !failed : step.if.trim() === 'always()' || step.if.trim() === '${{ always() }}' ? true : undefined;
    if (runs === undefined) throw new Error(`the local Actions runner does not evaluate if: ${step.if}`);
    const name = step.name ?? step.uses ?? 'run';
    if (!runs) {
      log.push(`skipped: ${name}`);
      continue;
    }
    const withs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, resolve(v)]));
    log.push(`##[group]${name}`);
    if (step.uses?.startsWith('actions/checkout@')) {
      execFileSync('git', ['clone', '-q', github.gitDir, options.workspace]);
      execFileSync('git', ['-C', options.workspace, 'checkout', '-q', String(withs.ref ?? headSha)]);
      log.push(`checked out ${String(withs.ref ?? headSha)}`);
    } else if (step.uses?.startsWith('actions/setup-node@')) {
      log.push(`node ${process.version} (asked for ${String(withs['node-version'])})`);
    } else if (step.uses?.startsWith('actions/upload-artifact@')) {
      const path = join(options.workspace, String(withs.path));
      if (existsSync(path)) {
        const artifact = String(withs.name);
        github.artifacts.push({ id: options.runId * 10 + artifacts.length, run: options.runId, name: artifact, zip: Buffer.from(zipSync({ [String(withs.path)]: new Uint8Array(readFileSync(path)) })) });
        artifacts.push(artifact);
        log.push(`uploaded ${artifact}`);
      } else if (withs['if-no-files-found'] !== 'ignore') {
        failed = true;
        log.push(`no file at ${String(withs.path)}`);
      }
    } else if (step.run !== undefined) {
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(resolve(v))]));
      const result = await bash(String(resolve(step.run)), options.workspace, {
        ...options.env,
        ...env,
        // Set after the step's env, as Actions does: a workflow cannot change GITHUB_* variables.
        GITHUB_SHA: headSha,
        // A job may ask for its OIDC token only when the workflow grants id-token: write.
        ...(workflow.permissions?.['id-token'] === 'write' ? github.oidcRequestFor(options.runId) : {}),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: options.workspace,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_RUN_ID: String(options.runId),
      });
      // `::add-mask::` is a command to Actions, which never shows it: the log shows what is left.
      log.push(result.output.replace(/^::add-mask::.*\n?/gm, '').trimEnd());
      if (result.code !== 0) {
        failed = true;
        log.push(`##[error]Process completed with exit code ${result.code}.`);
      }
    } else throw new Error(`the local Actions runner does not run ${step.uses ?? 'this step'}`);
    log.push('##[endgroup]');
  }
  return {
    title,
    headSha,
    labels: Array.isArray(labels) ? labels.map(String) : [String(labels)],
    conclusion: failed ? 'failure' : 'success',
    log: log.join('\n') + '\n',
    summary: readFileSync(summaryFile, 'utf8'),
    workspace: options.workspace,
    artifacts,
  };
}
