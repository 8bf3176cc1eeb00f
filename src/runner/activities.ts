// What each kind of activity does on a runner: an HTTP call, a container (docker CLI, or the
// `process` runtime on runners without docker), a driver (named or inline), an approval, and the
// stages of an OpenTofu or Terraform resource. Each returns the executor's attempt result.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Static } from '@sinclair/typebox';
import type { AttemptResult } from '../engine/run/executor.js';
import { judge } from '../engine/run/condition.js';
import type { ActivityDetail } from '../engine/plan/activities.js';
import type { SpecIndex } from '../engine/spec-index.js';
import type { ContainerOptions, DriverConfig, DriverRef, HttpOptions } from '../specs/schema/drivers.js';
import { resolveExpressions, type ExpressionContext } from './expressions.js';
import type { RunLog } from './log.js';

type Container = Static<typeof ContainerOptions>;
type Http = Static<typeof HttpOptions>;
type Driver = Static<typeof DriverConfig>;

export interface RunnerContext extends ExpressionContext {
  project: string;
  action: 'deploy' | 'destroy';
  index: SpecIndex;
  /** Where resources' working directories go. */
  workDir: string;
  runtime: 'docker' | 'process';
  /** Approval gates already approved (the app dispatches a run once they are). */
  approved: ReadonlySet<string>;
  /** Values for each resource's IaC variables, already resolved and merged under the override rules. */
  variables: (resource: string) => Record<string, string>;
  /** Environment variables every container and command gets (config contexts, environment). */
  env: Record<string, string>;
  /** Where repositories named by `repositoryOptions.name` are cloned from. */
  repositoryUrl: (name: string) => string | undefined;
  log: RunLog;
  dryRun: boolean;
  /** Registry logins made in this run: each is made once, not before every container. */
  loggedIn?: Set<string>;
}

interface CommandResult {
  exitCode: number;
  stdout: string;
}

/** Runs a command, streaming its output to the log (masked), aborting with `signal`. */
function runCommand(command: string, args: string[], options: { cwd: string; env: Record<string, string>; input?: string; log: RunLog; signal: AbortSignal; capture?: boolean }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, signal: options.signal, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    if (options.capture) child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    else logLines(child.stdout, options.log);
    logLines(child.stderr, options.log);
    child.on('error', (e) => reject(e.name === 'AbortError' ? e : new Error(`cannot run ${command}: ${e.message}`)));
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout }));
    // A command that exits (or never starts) before reading its input closes the pipe: EPIPE on
    // stdin is then no failure of ours, and unhandled it would crash the whole run.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Writes a stream to the log a whole line at a time: a pipe's chunks end anywhere, and a secret or a
 * character split between two of them would be neither masked nor decoded.
 */
function logLines(stream: Readable, log: RunLog): void {
  let tail = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    const text = tail + d;
    const end = text.lastIndexOf('\n');
    tail = text.slice(end + 1);
    if (end >= 0) log.line(text.slice(0, end));
  });
  stream.on('end', () => {
    if (tail) log.line(tail);
  });
}

async function http(options: Http, condition: string | undefined, signal: AbortSignal, context: RunnerContext): Promise<AttemptResult> {
  const endpoint = resolveExpressions(options.endpoint, context);
  if (context.dryRun) {
    context.log.line(`would call ${options.method ?? 'GET'} ${endpoint}`);
    return { ok: true };
  }
  const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, resolveExpressions(String(v), context)]));
  const body = options.body === undefined || options.method === 'GET' || options.method === 'HEAD' ? undefined : resolveExpressions(String(options.body), context);
  const response = await fetch(endpoint, { method: options.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}), signal });
  const text = await response.text();
  context.log.line(`${options.method ?? 'GET'} ${endpoint}: ${response.status}`);
  return { ...judge(condition ?? options.successCondition, { http: { statusCode: response.status, body: text } }, response.ok), outputs: { statusCode: response.status } };
}

/** A provider stage run in a driver's image: its own command, and the resource's directory mounted. */
interface StageInContainer {
  command: string[];
  mount: string;
  env: Record<string, string>;
  capture: boolean;
}

async function container(options: Container, condition: string | undefined, signal: AbortSignal, context: RunnerContext, stage?: StageInContainer): Promise<AttemptResult & { stdout?: string }> {
  const env = { ...context.env, ...Object.fromEntries(Object.entries(options.envVars ?? {}).map(([k, v]) => [k, resolveExpressions(String(v), context)])), ...stage?.env };
  const command = stage ? stage.command : [...(options.commands ?? []), ...(options.arguments ?? [])];
  // A dry run writes nothing: the folder is made only once a command is sure to run.
  const filesDir = () => {
    const dir = mkdtempSync(join(context.workDir, 'container-'));
    for (const [name, data] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), Buffer.from(data, 'base64'));
    return dir;
  };
  let result: CommandResult;
  if (context.runtime === 'process') {
    if (command.length === 0) return { ok: false, reason: 'the process runtime needs commands to run (the image is not used)' };
    if (context.dryRun) return dry(context, command.join(' '));
    const dir = filesDir();
    result = await runCommand(command[0]!, command.slice(1), { cwd: dir, env: { ...env, ENVSYNC_FILES_DIR: dir }, log: context.log, signal });
  } else {
    if (!options.image) return { ok: false, reason: 'a container needs an image' };
    // A dry run only shows where the folder would be mounted from.
    const dir = context.dryRun ? join(context.workDir, 'container-XXXXXX') : filesDir();
    const credentials = options.imagePullCredentials;
    const loginKey = credentials ? `${credentials.registry ?? ''}\u0000${credentials.username ?? ''}\u0000${credentials.password ?? ''}` : '';
    if (credentials?.password && !context.dryRun && !context.loggedIn?.has(loginKey)) {
      // The password goes through stdin: it never appears in a process list or a log.
      const login = await runCommand('docker', ['login', credentials.registry ?? '', '--username', credentials.username ?? '', '--password-stdin'], { cwd: dir, env: {}, input: credentials.password, log: context.log, signal });
      if (login.exitCode !== 0) return { ok: false, reason: `docker login to ${credentials.registry ?? 'the registry'} failed` };
      context.loggedIn?.add(loginKey);
    }
    const args = ['run', '--rm', '-v', `${dir}:/envsync/files`];
    if (stage) args.push('-v', `${stage.mount}:${STAGE_MOUNT}`);
    if (options.cpuLimitMilli !== undefined) args.push('--cpus', String(Number(options.cpuLimitMilli) / 1000));
    if (options.memoryLimitMb !== undefined) args.push('--memory', `${options.memoryLimitMb}m`);
    if (stage) args.push('--workdir', STAGE_MOUNT);
    else if (options.workingDirPath) args.push('--workdir', options.workingDirPath);
    for (const volume of options.volumes ?? []) args.push('-v', `${join(context.workDir, 'volumes', volume.mountPath.replace(/\W+/g, '_'))}:${volume.mountPath}`);
    for (const key of Object.keys(env)) args.push('-e', key); // values travel in the environment, not in the arguments
    args.push(options.image, ...command);
    if (context.dryRun) return dry(context, `docker ${args.join(' ')}`);
    for (const volume of options.volumes ?? []) mkdirSync(join(context.workDir, 'volumes', volume.mountPath.replace(/\W+/g, '_')), { recursive: true });
    result = await runCommand('docker', args, { cwd: dir, env, log: context.log, signal, capture: stage?.capture ?? false });
  }
  if (stage) return { ok: result.exitCode === 0, ...(result.exitCode === 0 ? {} : { reason: `exited with ${result.exitCode}` }), stdout: result.stdout };
  return judge(condition ?? options.successCondition, { container: { exitCode: result.exitCode } }, result.exitCode === 0);
}

/** Where a provider stage run in a driver's image finds the resource's directory. */
const STAGE_MOUNT = '/envsync/resource';

const dry = (context: RunnerContext, what: string): AttemptResult => {
  context.log.line(`would run: ${what}`);
  return { ok: true };
};

/** A driver by name (a Driver spec the project can see) or given inline. */
function resolveDriver(ref: Static<typeof DriverRef>, context: RunnerContext): Driver {
  if (ref.data) return ref.data.config;
  const found = context.index.resolve('Driver', ref.name, context.project);
  if (found.status !== 'found') throw new Error(`driver "${ref.name}" cannot be found for project ${context.project}`);
  return (found.spec.data.spec as { config: Driver }).config;
}

async function driver(config: Driver, signal: AbortSignal, context: RunnerContext): Promise<AttemptResult> {
  if (config.type === 'http' && config.http) return http(config.http, config.successCondition, signal, context);
  const options = config.type === 'function' ? config.function : config.container;
  if (!options) return { ok: false, reason: `the ${config.type} driver has no ${config.type} options` };
  return container(options, config.successCondition, signal, context);
}

async function stage(detail: Extract<ActivityDetail, { kind: 'stage' }>, signal: AbortSignal, context: RunnerContext): Promise<AttemptResult> {
  const rt = detail.template;
  const dir = join(context.workDir, 'resources', detail.resource);
  const repo = rt.repositoryOptions;
  const workDir = repo?.directoryPath ? join(dir, repo.directoryPath) : dir;
  if (detail.stage === 'checkout') {
    mkdirSync(dir, { recursive: true });
    if (!repo) return { ok: true };
    const url = context.repositoryUrl(repo.name);
    const missing = `repository "${repo.name}" has no URL: set ENVSYNC_REPOSITORY_${repo.name.toUpperCase().replace(/\W/g, '_')}_URL`;
    // A dry run shows the whole graph: a URL set only on real runners must not cut it short.
    if (context.dryRun) return dry(context, url ? `git clone ${url} (${repo.branch ?? 'default branch'})` : `git clone of ${missing}`);
    if (!url) return { ok: false, reason: missing };
    const clone = await runCommand('git', ['clone', '--depth', '1', ...(repo.branch ? ['--branch', repo.branch] : []), url, dir], { cwd: context.workDir, env: {}, log: context.log, signal });
    return clone.exitCode === 0 ? { ok: true } : { ok: false, reason: `git clone of ${repo.name} failed` };
  }
  const binary = rt.provider === 'hcpterraform' ? 'terraform' : 'tofu';
  const options = (rt.provider === 'hcpterraform' ? rt.providerOptions?.hcpterraform : rt.providerOptions?.opentofu) ?? {};
  const varFiles = (options.varFiles ?? []).map((f) => `-var-file=${f}`);
  const backend = ((options as { backendConfigs?: string[] }).backendConfigs ?? []).map((c) => `-backend-config=${c}`);
  const args: Record<string, () => string[]> = {
    init: () => ['init', '-input=false', ...backend],
    plan: () => ['plan', ...(context.action === 'destroy' ? ['-destroy'] : []), '-input=false', '-out=envsync.tfplan', ...varFiles],
    apply: () => ['apply', '-input=false', 'envsync.tfplan'],
    output: () => ['output', '-json'],
    destroy: () => ['apply', '-input=false', 'envsync.tfplan'],
  };
  const command = args[detail.stage]?.();
  if (!command) return { ok: false, reason: `unknown stage ${detail.stage}` };
  // Variables travel as TF_VAR_* environment variables, never as arguments a process list would
  // show; they are read when the plan is made, as expressions in them may name outputs of
  // resources that ran after this one's checkout.
  const tfVars = detail.stage === 'plan' ? Object.fromEntries(Object.entries(context.variables(detail.resource)).map(([k, v]) => [`TF_VAR_${k}`, v])) : {};
  const env = { ...context.env, ...tfVars };
  const passed = Object.keys(env).filter((k) => k.startsWith('TF_VAR_'));
  // The template may name a driver whose image runs the provider: the stage's command runs in that
  // image (docker runtime) with the resource's directory mounted, instead of the runner's own binary.
  const image = context.runtime === 'docker' && rt.providerOptions?.driver ? providerImage(resolveDriver(rt.providerOptions.driver, context)) : undefined;
  if (image && !context.dryRun) {
    mkdirSync(workDir, { recursive: true });
    const ran = await container(image, undefined, signal, context, { command: [binary, ...command], mount: workDir, env: tfVars, capture: detail.stage === 'output' });
    if (!ran.ok) return { ok: false, reason: `${binary} ${detail.stage} in ${image.image ?? 'the driver image'} ${ran.reason ?? 'failed'}` };
    return detail.stage === 'output' ? outputsOf(binary, ran.stdout ?? '') : { ok: true };
  }
  if (context.dryRun) return dry(context, `${binary} ${command.join(' ')}${image ? ` in ${image.image}` : ''}${passed.length ? ` (with ${passed.join(', ')})` : ''}`);
  mkdirSync(workDir, { recursive: true });
  const result = await runCommand(binary, command, { cwd: workDir, env, log: context.log, signal, capture: detail.stage === 'output' });
  if (result.exitCode !== 0) return { ok: false, reason: `${binary} ${detail.stage} exited with ${result.exitCode}` };
  if (detail.stage !== 'output') return { ok: true };
  return outputsOf(binary, result.stdout);
}

function outputsOf(binary: string, stdout: string): AttemptResult {
  try {
    return { ok: true, outputs: JSON.parse(stdout || '{}') as Record<string, unknown> };
  } catch {
    return { ok: false, reason: `${binary} output -json did not print JSON` };
  }
}

/** The container options of a provider's driver, when it runs in an image. */
function providerImage(config: Driver): Container | undefined {
  const options = config.type === 'function' ? config.function : config.type === 'container' ? config.container : undefined;
  return options?.image ? options : undefined;
}

/** Runs one activity of the graph. */
export async function runActivity(id: string, detail: ActivityDetail | undefined, signal: AbortSignal, context: RunnerContext): Promise<AttemptResult> {
  if (!detail) return { ok: false, reason: `nothing is known of how to run ${id}` };
  if (detail.kind === 'stage') return stage(detail, signal, context);
  const hook = detail.hook;
  switch (hook.type) {
    case 'approval':
      return context.approved.has(id) ? { ok: true } : { ok: false, reason: 'not approved: envsync dispatches a run once its gates are approved (/approve)' };
    case 'http':
      return http(hook.options!.http!, undefined, signal, context);
    case 'container':
      return container(hook.options!.container!, undefined, signal, context);
    case 'driver':
      return driver(resolveDriver(hook.driver!, context), signal, context);
    default:
      return { ok: false, reason: `unknown hook type ${String(hook.type)}` };
  }
}
