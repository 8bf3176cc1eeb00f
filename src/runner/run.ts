// One environment run, as a runner executes it: the activity graph of the environment's template at a
// revision, each activity run by its kind, logs grouped per activity with every secret masked, and a
// results document (statuses, timings, outputs) for the app to read back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entriesOf, sensitiveKeysOf, type Entry } from '../engine/declarations.js';
import { buildRunGraph, type ActivityDetail } from '../engine/plan/activities.js';
import { runInputs } from '../engine/plan/dependencies.js';
import type { Activity } from '../engine/plan/types.js';
import { executeGraph } from '../engine/run/executor.js';
import { mapSecrets } from '../engine/secrets.js';
import { sealedReferencesIn, unsealWith } from '../engine/sealed.js';
import { environmentClosure } from '../engine/environment-closure.js';
import { SpecIndex } from '../engine/spec-index.js';
import { validateEnvironment } from '../engine/validate-environment.js';
import { LOG_TAIL_CHARS, LOG_TAIL_LINES, type RunResults } from './contract.js';
import type { Finding } from '../specs/findings.js';
import type { LoadedSpec } from '../specs/load.js';
import type { SourceFile } from '../specs/source.js';
import { runActivity, type RunnerContext } from './activities.js';
import { resolveExpressions } from './expressions.js';
import { mapStrings, RunLog } from './log.js';

export interface RunRequest {
  files: readonly SourceFile[];
  root?: string;
  /** The repository's own credential names (`sensitive.names` of `.github/envsync.yml`): their values are masked in the log too. */
  sensitiveNames?: readonly string[];
  project: string;
  environment: string;
  action: 'deploy' | 'destroy';
  revision: string;
  approved?: ReadonlySet<string>;
  dryRun?: boolean;
  runtime?: 'docker' | 'process';
  concurrency?: number;
  repositoryUrl?: (name: string) => string | undefined;
  /** Where each log line goes (stdout on a runner). */
  write: (line: string) => void;
  actions?: boolean;
  signal?: AbortSignal;
  /**
   * The values of the `sealed://` references the environment's specs hold, asked of the app (once per
   * run); without it, a run that needs them stops before anything runs.
   */
  unseal?: (references: readonly string[]) => Promise<ReadonlyMap<string, string>>;
}


export type { RunResults };

export class RunError extends Error {
  constructor(
    message: string,
    readonly findings: Finding[] = [],
  ) {
    super(message);
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** A `tofu output -json` entry marked sensitive. */
const isSensitive = (v: unknown): v is { sensitive: true; value?: unknown } => (v as { sensitive?: unknown } | null)?.sensitive === true;

/** Outputs as results keep them: a sensitive one's value is replaced. */
const maskSensitive = (values: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, isSensitive(v) ? { ...v, value: '(sensitive)' } : v]));

/** What of sensitive outputs' values a tool could print: each string in them, and a structured value's JSON. */
function sensitiveValues(values: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const v of Object.values(values).filter(isSensitive)) {
    mapStrings(v.value, (s) => (found.push(s), s));
    if (typeof v.value === 'object' || typeof v.value === 'number') found.push(JSON.stringify(v.value));
  }
  return found;
}

/**
 * The values a resource gets, by the override rules: config contexts (the template's, then the
 * resource template's) below the resource template's own, below the environment template's, below
 * the environment's (which validation has checked against what the templates allow).
 */
function layered(lists: Entry[][], category: Entry['category']): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const list of lists) for (const e of list) if (e.category === category && e.value !== undefined) out.set(e.key, e);
  return out;
}

export async function runEnvironment(request: RunRequest): Promise<RunResults> {
  // Only what this environment reads is validated: a mistake elsewhere is not this run's to refuse.
  const validated = validateEnvironment(request.files, { root: request.root ?? '' }, request.project, request.environment);
  const errors = validated.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new RunError(`revision ${request.revision} does not validate: nothing was run`, errors);
  // Every secret is known before the first line is written: the sealed ones first, as they arrive.
  const log = new RunLog(request.write, request.actions);
  const index = await unsealed(validated.index, request, log);
  const env = index.find('Environment', request.project, request.environment)[0];
  if (!env) throw new RunError(`there is no environment ${request.project}/${request.environment} at ${request.revision}`);
  const inputs = runInputs(env, index);
  if (!inputs) throw new RunError(`the template of ${request.project}/${request.environment} cannot be found`);
  const { activities, details } = buildRunGraph(inputs.template, index, request.action);

  const contextsOf = (spec: LoadedSpec) =>
    ((spec.data.spec as { contexts?: { name: string }[] }).contexts ?? []).flatMap((c) => {
      const r = index.resolve('ConfigContext', c.name, spec.project);
      return r.status === 'found' ? [entriesOf(r.spec)] : [];
    });
  const templateLists = [...contextsOf(inputs.template), entriesOf(inputs.template)];
  const envLists = [...templateLists, entriesOf(env)];
  const resourceTemplate = (resource: string) => inputs.specs.find((s) => s.kind.kind === 'ResourceTemplate' && s.name === resource);

  const sensitiveKeys = sensitiveKeysOf(env, index, request.sensitiveNames);
  const secrets: string[] = [];
  for (const spec of [env, ...inputs.specs]) mapSecrets(spec.data, (value) => (secrets.push(str(value)), value), sensitiveKeys);
  log.mask(secrets);

  const outputs = new Map<string, Record<string, unknown>>();
  const expressionContext = { environment: { name: env.name, project: env.project }, outputs };
  const envVars = Object.fromEntries([...layered(envLists, 'environment variable')].map(([k, e]) => [k, str(e.value)]));
  const context: RunnerContext = {
    ...expressionContext,
    project: env.project,
    action: request.action,
    index,
    // It holds the plan (variables, secrets included), decoded files and clones: removed after the run.
    workDir: mkdtempSync(join(tmpdir(), `envsync-run-${env.name}-`)),
    runtime: request.runtime ?? 'docker',
    approved: request.approved ?? new Set(),
    env: envVars,
    variables: (resource) => {
      // A resource gets the variables its module declares (its template's and its contexts'), with
      // the values the environment template and the environment give them.
      const rt = resourceTemplate(resource);
      if (!rt) return {};
      const own = [...contextsOf(rt), entriesOf(rt)];
      const declared = new Set(own.flat().filter((e) => e.category === 'variable').map((e) => e.key));
      const values = layered([...own, ...templateLists, entriesOf(env)], 'variable');
      return Object.fromEntries(
        [...values].filter(([k]) => declared.has(k)).map(([k, e]) => [k, e.valueType === 'expression' ? resolveExpressions(str(e.value), expressionContext) : str(e.value)]),
      );
    },
    repositoryUrl: request.repositoryUrl ?? ((name) => process.env[`ENVSYNC_REPOSITORY_${name.toUpperCase().replace(/\W/g, '_')}_URL`]),
    log,
    dryRun: request.dryRun ?? false,
    loggedIn: new Set<string>(),
  };

  // Activities run side by side; each one's lines (of every attempt) are kept and written as one
  // group when it ends.
  const buffers = new Map<string, string[]>();
  const planned = new Map(activities.map((a) => [a.id, a]));
  const result = await executeGraph(
    activities.map((a) => ({ ...a, ...limitsOf(details.get(a.id)) })),
    async (activity, signal) => {
      const lines = buffers.get(activity.id) ?? [];
      buffers.set(activity.id, lines);
      const attempt = await runActivity(activity.id, details.get(activity.id), signal, { ...context, log: log.collect(lines) });
      // Masked before any activity that follows could print them.
      if (attempt.outputs) log.mask(sensitiveValues(attempt.outputs));
      return attempt;
    },
    {
      concurrency: request.concurrency ?? 4,
      ...(request.signal ? { signal: request.signal } : {}),
      onEvent: ({ type, record }) => {
        if (type !== 'finish') return;
        const detail = details.get(record.id);
        if (record.status === 'success' && detail?.kind === 'stage' && detail.stage === 'output' && record.outputs) outputs.set(detail.resource, record.outputs);
        log.group(`${record.id}: ${record.status}${record.attempts > 1 ? ` after ${record.attempts} attempts` : ''}`);
        for (const line of buffers.get(record.id) ?? []) request.write(line);
        if (record.reason) log.line(`reason: ${record.reason}`);
        log.endGroup();
      },
    },
  ).finally(() => {
    // A leftover folder must not cost the run its results: say so and go on.
    try {
      rmSync(context.workDir, { recursive: true, force: true, maxRetries: 3 });
    } catch (e) {
      log.line(`envsync: could not remove ${context.workDir} (${(e as Error).message}): delete it, it may hold secrets`);
    }
  });

  return {
    project: env.project,
    environment: env.name,
    action: request.action,
    revision: request.revision,
    status: result.status,
    activities: result.activities.map((r) => ({
      ...r,
      ...graphPlace(planned.get(r.id)!),
      ...(r.reason ? { reason: log.redact(r.reason) } : {}),
      ...(r.outputs ? { outputs: log.redactAll(maskSensitive(r.outputs)) } : {}),
      ...(r.status === 'failure' ? logTail(buffers.get(r.id) ?? [], log) : {}),
    })),
    outputs: log.redactAll(Object.fromEntries([...outputs].map(([resource, values]) => [resource, maskSensitive(values)]))),
  };
}

/**
 * The index with the values behind the `sealed://` references of the environment's closure (the
 * specs the app answers for too) in place, in memory only: each value is masked before anything else
 * is logged, and no file the run writes holds it (results are redacted). The specs are copies: what
 * was read of the originals (their entries, kept per spec) holds the references.
 */
async function unsealed(index: SpecIndex, request: RunRequest, log: RunLog): Promise<SpecIndex> {
  const specs = environmentClosure(index, request.project, request.environment).specs;
  const keys = new Map(specs.map((spec) => [spec, sensitiveKeysOf(spec, index, request.sensitiveNames)]));
  const references = [...new Set(specs.flatMap((spec) => sealedReferencesIn(spec, keys.get(spec)!)))];
  if (references.length === 0) return index;
  if (!request.unseal) throw new RunError(`${request.project}/${request.environment} reads secrets the system keeps (${references.join(', ')}): only a run the app dispatched can get them; nothing was run`);
  let values: ReadonlyMap<string, string>;
  try {
    values = await request.unseal(references);
  } catch (e) {
    throw new RunError(`the secrets of ${request.project}/${request.environment} could not be had: ${(e as Error).message}; nothing was run`);
  }
  log.mask(values.values());
  const copies = new Map(specs.map((spec) => [spec, { ...spec, data: unsealWith(spec, keys.get(spec)!, values), content: undefined }]));
  return new SpecIndex(index.specs.map((spec) => copies.get(spec) ?? spec));
}

/** A line of a log tail: its end is kept when it is longer (where a tool says what went wrong). */
const TAIL_LINE_CHARS = 500;

/**
 * The last lines of a failed activity's log, for summaries read where the log is not: lines already
 * masked as they were written, masked again with every secret the run knows by its end (a sensitive
 * output of an activity that ran later), less terminal colours and workflow commands; within
 * LOG_TAIL_LINES and LOG_TAIL_CHARS. None when the activity printed nothing.
 */
function logTail(lines: readonly string[], log: RunLog): { logTail?: string[] } {
  const tail: string[] = [];
  let chars = 0;
  for (let i = lines.length - 1; i >= 0 && tail.length < LOG_TAIL_LINES; i--) {
    // Masked before anything is cut (a secret cut in two would no longer match), and again once the
    // colours that could have split one are gone. Of a line a progress bar rewrote, what a terminal
    // shows: what follows its last CR.
    const shown = log.redact(lines[i]!).split('\r').filter(Boolean).at(-1) ?? '';
    const text = log.redact(shown.replace(ANSI_SEQUENCE, '').replace(CONTROL, '')).trimEnd();
    if (WORKFLOW_COMMAND.test(text)) continue;
    const line = text.length > TAIL_LINE_CHARS ? `(${text.length - TAIL_LINE_CHARS} characters before) …${text.slice(-TAIL_LINE_CHARS)}` : text;
    if (chars + line.length + 1 > LOG_TAIL_CHARS) break;
    tail.unshift(line);
    chars += line.length + 1;
  }
  while (tail[0] === '') tail.shift();
  return tail.length > 0 ? { logTail: tail } : {};
}

// eslint-disable-next-line no-control-regex -- terminal colours and cursor moves are what these are
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]/g;
/** `::command::` or `::command key=value::` (Actions reads them, a reader never sees them). */
const WORKFLOW_COMMAND = /^::[\w-]+( [^:]*)?::/;
// eslint-disable-next-line no-control-regex -- characters a summary cannot show
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Where an activity sits in the graph, kept in the results so that summaries can draw it. */
const graphPlace = (a: Activity): Pick<Activity, 'type' | 'dependsOn' | 'when'> => ({ type: a.type, dependsOn: a.dependsOn, ...(a.when ? { when: a.when } : {}) });

/** The executor's limits of an activity: its hook's (or its stage's provider) settings. */
function limitsOf(detail: ActivityDetail | undefined): { onFailure?: 'continue' | 'unspecified'; timeoutSeconds?: number; maxRetryCount?: number } {
  if (!detail) return {};
  if (detail.kind === 'hook') {
    const h = detail.hook;
    return { ...(h.onFailure ? { onFailure: h.onFailure } : {}), ...(h.timeoutSeconds ? { timeoutSeconds: h.timeoutSeconds } : {}), ...(h.maxRetryCount ? { maxRetryCount: h.maxRetryCount } : {}) };
  }
  const options = detail.template.providerOptions?.opentofu ?? detail.template.providerOptions?.hcpterraform;
  return options?.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {};
}
