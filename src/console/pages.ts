// The console's pages: each reads what it shows from the system (never from GitHub, so that a page
// answers in milliseconds) and hands it to its view.
import { specIndexOf, type SpecIndex } from '../engine/spec-index.js';
import { variableFields, type VariableField } from '../engine/variable-form.js';
import type { LoadedSpec } from '../specs/load.js';
import type { ConfigRepository, RunRecord, StoredResource } from '../system/records.js';
import { isFinished } from '../system/records.js';
import { RUN_OWN_APPROVALS } from '../engine/run-lifecycle.js';
import { atLeast, type ProjectAccess } from './access.js';
import { ConsoleError, requireProject, type Context } from './context.js';
import { html, type Html } from './html.js';
import { botPullRequest } from '../flows/sync/bot-pull-request.js';
import { destroyStepFor } from './destroy-step.js';
import { destroyConfirmation, environmentPage, overview, templateChoices, variablesForm, type EnvironmentRow, type LastRun, type ProjectView, type VariablesForm } from './views/environments.js';
import { eventsPage, type DriftedSpec } from './views/events.js';
import { botPullRequestHref, environmentHref, launchHref } from './views/hrefs.js';
import type { Section } from './views/layout.js';
import { repositoriesPage, type RepositoryView } from './views/repositories.js';
import { runsList, runState, type ActivityRow, type RunView } from './views/runs.js';

export interface Page {
  title: string;
  section: Section;
  body: Html;
}

/** How many runs and events a list shows: the newest. */
const LIST_LIMIT = 200;

const lastRunOf = (r: RunRecord): LastRun => ({ id: r.id, status: r.status, action: r.action, trigger: r.trigger, actor: r.actor, at: r.finishedAt ?? r.startedAt ?? r.createdAt });

export const templateOf = (spec: unknown): { name: string; version: string } | undefined => {
  const t = (spec as { spec?: { template?: { name?: unknown; version?: unknown } } }).spec?.template;
  return typeof t?.name === 'string' && typeof t.version === 'string' ? { name: t.name, version: t.version } : undefined;
};

const descriptionOf = (spec: unknown): string | undefined => {
  const d = (spec as { metadata?: { description?: unknown } }).metadata?.description;
  return typeof d === 'string' ? d : undefined;
};

export const deploymentUrl = (ctx: Context, repo: string, project: string, environment: string) => `${ctx.webRoot}/${repo}/deployments/${encodeURIComponent(`${project}/${environment}`)}`;

/** Every project the system holds a spec of (a Project spec is optional), with the viewer's access to it. */
async function projectAccess(ctx: Context): Promise<Map<string, ProjectAccess>> {
  return ctx.access.projects(ctx.viewer.login, await ctx.service.projects());
}

/** The projects the viewer may read: lists are read for those only, so that others' do not crowd them out. */
const readableOf = (access: ReadonlyMap<string, ProjectAccess>): string[] => [...access].filter(([, a]) => atLeast(a.access, 'read')).map(([project]) => project);

export async function overviewPage(ctx: Context): Promise<Page> {
  const { service } = ctx;
  const environments = await service.list({ kind: 'Environment' });
  const access = await projectAccess(ctx);
  const projects: ProjectView[] = [];
  for (const [name, { access: level, owner }] of access) {
    if (!atLeast(level, 'read')) continue;
    const repo = owner?.repo;
    const own = environments.filter((e) => e.project === name);
    // Each environment's own last run: a busy neighbour's many runs cannot hide it.
    const lastRuns = await Promise.all(own.map(async (e) => (await service.records.listRuns({ project: name, environment: e.name, limit: 1 }))[0]));
    const rows = own.map((e, i): EnvironmentRow => {
      const last = lastRuns[i];
      const template = templateOf(e.spec);
      return {
        project: name,
        name: e.name,
        ...(template ? { template } : {}),
        ...(last ? { lastRun: lastRunOf(last) } : {}),
        outsideGit: e.origin === 'system',
        ...(last && repo ? { deploymentUrl: deploymentUrl(ctx, repo, name, e.name) } : {}),
      };
    });
    projects.push({ name, ...(repo ? { repo, repoUrl: `${ctx.webRoot}/${repo}` } : {}), canChange: atLeast(level, 'write'), environments: rows });
  }
  return { title: 'Environments', section: 'environments', body: overview(projects) };
}

/** The environment template versions a project may launch from: as it resolves their names (its own hide shared ones of a name). */
function templatesFor(index: SpecIndex, project: string): LoadedSpec[] {
  return index.visibleNames('EnvironmentTemplate', project).flatMap((name) => index.visible('EnvironmentTemplate', name, project).filter((s) => s.version !== undefined));
}

/** The template an environment names, as the project resolves it. */
async function resolveTemplate(ctx: Context, project: string, template: { name: string; version: string }): Promise<{ spec: LoadedSpec; index: SpecIndex } | undefined> {
  const index = specIndexOf((await ctx.service.snapshot()).specs);
  const resolution = index.resolve('EnvironmentTemplate', template.name, project, template.version);
  return resolution.status === 'found' ? { spec: resolution.spec, index } : undefined;
}

/**
 * The form fields of a template as `project` resolves it, with `environment`'s own values; `owner`
 * (the project's repository) gives its own credential names (`sensitive.names`), as its last applied
 * push recorded them.
 */
export async function templateFields(ctx: Context, project: string, template: { name: string; version: string }, owner: ConfigRepository | undefined, environment?: StoredResource): Promise<VariableField[] | undefined> {
  const resolved = await resolveTemplate(ctx, project, template);
  if (!resolved) return undefined;
  return variableFields(resolved.spec, resolved.index, environment?.spec as Record<string, unknown> | undefined, owner?.runner?.sensitiveNames ?? []);
}

export const parseTemplate = (value: string | null | undefined): { name: string; version: string } | undefined => {
  const match = /^([^@\s]+)@([^@\s]+)$/.exec(value ?? '');
  return match ? { name: match[1]!, version: match[2]! } : undefined;
};


export async function launchPage(ctx: Context, project: string, templateParam: string | null, form?: Partial<VariablesForm>): Promise<Page> {
  const { owner } = await requireProject(ctx, project, 'write');
  const template = parseTemplate(templateParam);
  if (!template) {
    const index = specIndexOf((await ctx.service.snapshot()).specs);
    const choices = templatesFor(index, project).map((t) => ({ name: t.name, version: t.version!, project: t.project, ...(descriptionOf(t.data) ? { description: descriptionOf(t.data)! } : {}) }));
    return { title: `Launch an environment in ${project}`, section: 'environments', body: templateChoices(project, choices) };
  }
  const fields = await templateFields(ctx, project, template, owner);
  if (!fields) throw new ConsoleError(404, `project ${project} can use no environment template ${template.name} ${template.version}`);
  const body = variablesForm(ctx.viewer, {
    action: launchHref(project),
    fields,
    submit: 'Launch',
    naming: { name: '', description: '', template: `${template.name}@${template.version}` },
    ...form,
  });
  return { title: `Launch ${template.name} ${template.version} in ${project}`, section: 'environments', body };
}


export async function findEnvironment(ctx: Context, project: string, name: string): Promise<StoredResource> {
  const environment = await ctx.service.find({ kind: 'Environment', project, name });
  if (!environment) throw new ConsoleError(404, `no environment ${project}/${name} in the system`);
  return environment;
}

/** Why an environment has no change form here. */
export const noFormReason = (project: string, name: string, template: { name: string; version: string } | undefined) =>
  template
    ? `${project}/${name} uses template ${template.name} ${template.version}, which project ${project} cannot use in the system: change it in Git`
    : `${project}/${name} names no template (spec.template): change it in Git`;

export async function environmentView(ctx: Context, project: string, name: string, form?: Partial<VariablesForm>): Promise<Page> {
  const { access, owner } = await requireProject(ctx, project, 'read');
  const repo = owner?.repo;
  const environment = await findEnvironment(ctx, project, name);
  const template = templateOf(environment.spec);
  const canChange = atLeast(access, 'write');
  const fields = canChange && template ? await templateFields(ctx, project, template, owner, environment) : undefined;
  const runs = await ctx.service.records.listRuns({ project, environment: name, limit: 20 });
  const description = descriptionOf(environment.spec);
  const body = environmentPage(ctx.viewer, {
    project,
    name,
    ...(description ? { description } : {}),
    ...(template ? { template } : {}),
    outsideGit: environment.origin === 'system',
    ...(repo ? { botPullRequest: botPullRequestHref(project) } : {}),
    ...(repo && runs.length > 0 ? { deploymentUrl: deploymentUrl(ctx, repo, project, name) } : {}),
    runs: runs.map(lastRunOf),
    canChange,
    ...(fields ? { form: { action: environmentHref(project, name), fields, submit: 'Save change', generation: environment.generation, ...form } } : {}),
    ...(canChange && !fields ? { noForm: noFormReason(project, name, template) } : {}),
  });
  return { title: `${project}/${name}`, section: 'environments', body };
}

export async function runsPage(ctx: Context): Promise<Page> {
  const runs = await ctx.service.records.listRuns({ projects: readableOf(await projectAccess(ctx)), limit: LIST_LIMIT });
  return { title: 'Runs', section: 'runs', body: runsList(runs) };
}

/**
 * A run's activities as the page shows them: recorded with their statuses once the run reported, and
 * before that planned, each shown with the run's own state (what is known of them). Read field by
 * field: results come from an artifact a workflow with write access can change, and the runner's
 * check of them (runner/contract.ts) does not cover what only a page shows.
 */
function activityRows(run: RunRecord): ActivityRow[] {
  const list = Array.isArray(run.activities) ? (run.activities as Record<string, unknown>[]) : [];
  const pending = run.status === 'in_progress' || run.status === 'queued' ? run.status : isFinished(run.status) ? 'not_run' : 'waiting';
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return list.flatMap((a): ActivityRow[] => {
    if (a === null || typeof a !== 'object' || typeof a.id !== 'string') return [];
    const [attempts, startedAt, finishedAt, reason] = [count(a.attempts), count(a.startedAt), count(a.finishedAt), text(a.reason)];
    const logTail = Array.isArray(a.logTail) ? a.logTail.filter((l): l is string => typeof l === 'string') : undefined;
    return [
      {
        id: a.id,
        type: text(a.type) ?? 'activity',
        status: text(a.status) ?? pending,
        dependsOn: Array.isArray(a.dependsOn) ? a.dependsOn.filter((d): d is string => typeof d === 'string') : [],
        ...(attempts !== undefined ? { attempts } : {}),
        ...(startedAt !== undefined ? { startedAt } : {}),
        ...(finishedAt !== undefined ? { finishedAt } : {}),
        ...(reason ? { reason } : {}),
        ...(logTail ? { logTail } : {}),
      },
    ];
  });
}

export async function runView(ctx: Context, id: string): Promise<{ title: string; run: RunView }> {
  const run = await ctx.service.records.getRun(id);
  const found = run && (await ctx.access.project(ctx.viewer.login, run.project));
  if (!run || !found || !atLeast(found.access, 'read')) throw new ConsoleError(404, `no run ${id} that you may see`);
  const tracking = await ctx.service.records.getTracking(run.id);
  const ownApprovals = tracking?.dispatch.approvals.some((a) => a.number === RUN_OWN_APPROVALS) === true;
  const gates = tracking?.dispatch.gates ?? [];
  const mayApprove = run.status === 'waiting' && ownApprovals && atLeast(found.access, 'write');
  const startedIt = run.actor === ctx.viewer.login;
  const view: RunView = {
    id: run.id,
    project: run.project,
    environment: run.environment,
    action: run.action,
    status: run.status,
    trigger: run.trigger,
    actor: run.actor,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    revision: run.revision,
    ...(found.owner ? { revisionUrl: `${ctx.webRoot}/${found.owner.repo}/commit/${run.revision}` } : {}),
    reason: run.reason,
    finished: isFinished(run.status),
    activities: activityRows(run),
    gates,
    canApprove: mayApprove && !startedIt,
    ...(mayApprove && startedIt ? { approveNote: 'You started this run: someone else with write access approves it.' } : {}),
    ...(run.status === 'waiting' && !ownApprovals && gates.length > 0 ? { approveNote: 'This run is approved on its pull request (/approve), not here.' } : {}),
  };
  return { title: `Run ${run.id}`, run: view };
}

export async function runPage(ctx: Context, id: string): Promise<Page> {
  const { title, run } = await runView(ctx, id);
  return { title, section: 'runs', body: runState(ctx.viewer, run) };
}

/** The followed repositories the viewer administers on GitHub, with their settings and latest pushes. */
export async function repositoriesView(ctx: Context): Promise<Page> {
  const views: RepositoryView[] = [];
  for (const repository of await ctx.service.records.listRepositories()) {
    if (!atLeast(await ctx.access.repository(ctx.viewer.login, repository.repo), 'admin')) continue;
    const url = `${ctx.webRoot}/${repository.repo}`;
    views.push({ repository, url, settingsUrl: `${url}/blob/${repository.defaultBranch ?? 'HEAD'}/.github/envsync.yml`, pushes: await ctx.service.records.listPushes(repository.repo, 10) });
  }
  return { title: 'Repositories', section: 'repositories', body: repositoriesPage(views) };
}

export async function eventsView(ctx: Context): Promise<Page> {
  const { service } = ctx;
  const access = await projectAccess(ctx);
  const readable = (project: string) => atLeast(access.get(project)?.access ?? 'none', 'read');
  const outside = (await service.list({ origin: 'system' })).filter((r) => readable(r.project));
  const events = await service.records.listSyncEvents({ projects: readableOf(access), newest: true, limit: LIST_LIMIT });
  const last = await service.records.lastSyncEvents(outside);
  const byOf = (r: StoredResource) => last.find((e) => e.kind === r.kind && e.project === r.project && e.name === r.name && (e.version ?? '') === (r.version ?? ''));
  const drifted = outside.map((r): DriftedSpec => {
    const event = byOf(r);
    return {
      kind: r.kind,
      project: r.project,
      name: r.name,
      ...(r.version !== undefined ? { version: r.version } : {}),
      updatedAt: r.updatedAt,
      ...(event?.actor ? { by: `${event.actor} (${event.trigger})` } : {}),
      canChange: atLeast(access.get(r.project)!.access, 'write'),
    };
  });
  return { title: 'Sync events', section: 'events', body: eventsPage(ctx.viewer, drifted, events) };
}

export async function destroyPage(ctx: Context, project: string, name: string): Promise<Page> {
  await requireProject(ctx, project, 'write');
  await findEnvironment(ctx, project, name);
  return { title: `Destroy ${project}/${name}`, section: 'environments', body: destroyConfirmation(ctx.viewer, project, name, await destroyStepFor(ctx, project, name)) };
}

/** An answer that is neither a page nor a redirect: a page's part, or JSON for its script. */
export interface Answer {
  status: number;
  type: string;
  body: string;
}

/**
 * Where a project's bot pull request stands: a redirect to it on GitHub, or a page saying why there
 * is none; with `json`, that as data for the environment page's script. GitHub is asked only here.
 */
export async function botPullRequestPage(ctx: Context, project: string, json: boolean): Promise<Page | Answer | { redirect: string }> {
  const { owner: followed } = await requireProject(ctx, project, 'read');
  if (!followed) throw new ConsoleError(404, `no followed repository owns project ${project}`);
  const found = await botPullRequest(await ctx.portOf(followed.repo), followed, project);
  if (json) return { status: 200, type: 'application/json', body: JSON.stringify(found) };
  if (found.state === 'open') return { redirect: found.url };
  const body =
    found.state === 'blocked'
      ? html`<p>The bot's pull request <a href="${found.url}">#${found.number}</a> was closed without merging, so envsync does not bring changes to Git for ${followed.repo} any more: delete its branch <code>${found.branch}</code> on GitHub, and the next change opens a new one.</p>`
      : found.delivery === 'commit'
        ? html`<p>${followed.repo} takes project ${project}'s changes as commits on its branch, not as a pull request: they are in its history.</p>`
        : html`<p>The bot has no pull request open for ${followed.repo}: changes are gathered a moment before they go to Git, or they are there already. Try again in a few seconds.</p>`;
  return { title: 'The bot pull request', section: 'environments', body };
}
