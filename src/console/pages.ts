// The console's pages: each reads what it shows from the system (never from GitHub, so that a page
// answers in milliseconds) and hands it to its view.
import { SpecIndex, isSharedWith } from '../engine/spec-index.js';
import { variableFields, type VariableField } from '../engine/variable-form.js';
import type { LoadedSpec } from '../specs/load.js';
import type { RunRecord, StoredResource } from '../system/records.js';
import { isFinished } from '../system/records.js';
import { RUN_OWN_APPROVALS } from '../engine/run-lifecycle.js';
import { atLeast } from './access.js';
import { ConsoleError, requireProject, type Context } from './context.js';
import type { Html } from './html.js';
import { environmentPage, overview, templateChoices, variablesForm, type EnvironmentRow, type LastRun, type ProjectView, type VariablesForm } from './views/environments.js';
import { eventsPage, type DriftedSpec } from './views/events.js';
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

const templateOf = (spec: unknown): { name: string; version: string } | undefined => {
  const t = (spec as { spec?: { template?: { name?: unknown; version?: unknown } } }).spec?.template;
  return typeof t?.name === 'string' && typeof t.version === 'string' ? { name: t.name, version: t.version } : undefined;
};

const descriptionOf = (spec: unknown): string | undefined => {
  const d = (spec as { metadata?: { description?: unknown } }).metadata?.description;
  return typeof d === 'string' ? d : undefined;
};

export const deploymentUrl = (ctx: Context, repo: string, project: string, environment: string) => `${ctx.webRoot}/${repo}/deployments/${encodeURIComponent(`${project}/${environment}`)}`;

export async function overviewPage(ctx: Context): Promise<Page> {
  const { service } = ctx;
  const environments = await service.list({ kind: 'Environment' });
  const names = [...new Set([...(await service.list({ kind: 'Project' })).map((p) => p.name), ...environments.map((e) => e.project)])].sort();
  const access = await ctx.access.projects(ctx.viewer.login, names);
  const projects: ProjectView[] = [];
  for (const name of names) {
    const { access: level, repo } = access.get(name)!;
    if (!atLeast(level, 'read')) continue;
    const runs = await service.records.listRuns({ project: name, limit: LIST_LIMIT });
    const rows = environments
      .filter((e) => e.project === name)
      .map((e): EnvironmentRow => {
        const last = runs.find((r) => r.environment === e.name);
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

/** The environment templates a project may launch from: its own and those shared with it. */
function templatesFor(index: SpecIndex, project: string): LoadedSpec[] {
  return index.specs.filter((s) => s.kind.kind === 'EnvironmentTemplate' && s.version !== undefined && (s.project === project || isSharedWith(s, project)));
}

/** The template an environment names, as the project resolves it. */
async function resolveTemplate(ctx: Context, project: string, template: { name: string; version: string }): Promise<{ spec: LoadedSpec; index: SpecIndex } | undefined> {
  const index = new SpecIndex((await ctx.service.snapshot()).specs);
  const resolution = index.resolve('EnvironmentTemplate', template.name, project, template.version);
  return resolution.status === 'found' ? { spec: resolution.spec, index } : undefined;
}

export async function templateFields(ctx: Context, project: string, template: { name: string; version: string }, environment?: StoredResource): Promise<VariableField[] | undefined> {
  const resolved = await resolveTemplate(ctx, project, template);
  if (!resolved) return undefined;
  // The owning repository's own credential names (`sensitive.names`), as its last applied push recorded them.
  const { repo } = await ctx.access.project(ctx.viewer.login, project);
  const names = (repo && (await ctx.service.records.getRepository(repo))?.runner?.sensitiveNames) || [];
  return variableFields(resolved.spec, resolved.index, environment?.spec as Record<string, unknown> | undefined, names);
}

export const parseTemplate = (value: string | null | undefined): { name: string; version: string } | undefined => {
  const match = /^([^@\s]+)@([^@\s]+)$/.exec(value ?? '');
  return match ? { name: match[1]!, version: match[2]! } : undefined;
};

export const launchHref = (project: string) => `/console/projects/${encodeURIComponent(project)}/launch`;

export async function launchPage(ctx: Context, project: string, templateParam: string | null, form?: Partial<VariablesForm>): Promise<Page> {
  await requireProject(ctx, project, 'write');
  const template = parseTemplate(templateParam);
  if (!template) {
    const index = new SpecIndex((await ctx.service.snapshot()).specs);
    const choices = templatesFor(index, project).map((t) => ({ name: t.name, version: t.version!, project: t.project, ...(descriptionOf(t.data) ? { description: descriptionOf(t.data)! } : {}) }));
    return { title: `Launch an environment in ${project}`, section: 'environments', body: templateChoices(project, choices) };
  }
  const fields = await templateFields(ctx, project, template);
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

export const environmentHref = (project: string, name: string) => `/console/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(name)}`;

export async function findEnvironment(ctx: Context, project: string, name: string): Promise<StoredResource> {
  const environment = await ctx.service.find({ kind: 'Environment', project, name });
  if (!environment) throw new ConsoleError(404, `no environment ${project}/${name} in the system`);
  return environment;
}

export async function environmentView(ctx: Context, project: string, name: string, form?: Partial<VariablesForm>): Promise<Page> {
  const { access, repo } = await requireProject(ctx, project, 'read');
  const environment = await findEnvironment(ctx, project, name);
  const template = templateOf(environment.spec);
  const canChange = atLeast(access, 'write');
  const fields = canChange && template ? await templateFields(ctx, project, template, environment) : undefined;
  const runs = await ctx.service.records.listRuns({ project, environment: name, limit: 20 });
  const description = descriptionOf(environment.spec);
  const body = environmentPage(ctx.viewer, {
    project,
    name,
    ...(description ? { description } : {}),
    ...(template ? { template } : {}),
    outsideGit: environment.origin === 'system',
    ...(repo ? { botPullRequest: `/console/repositories/${repo}/bot-pull-request` } : {}),
    ...(repo && runs.length > 0 ? { deploymentUrl: deploymentUrl(ctx, repo, project, name) } : {}),
    runs: runs.map(lastRunOf),
    canChange,
    ...(fields ? { form: { action: environmentHref(project, name), fields, submit: 'Save change', generation: environment.generation, ...form } } : {}),
  });
  return { title: `${project}/${name}`, section: 'environments', body };
}

/** The projects the viewer may read: lists are read for those only, so that others' do not crowd them out. */
async function readableProjects(ctx: Context): Promise<string[]> {
  const { service } = ctx;
  const names = [...new Set([...(await service.list({ kind: 'Project' })).map((p) => p.name), ...(await service.list({ kind: 'Environment' })).map((e) => e.project)])];
  const access = await ctx.access.projects(ctx.viewer.login, names);
  return names.filter((name) => atLeast(access.get(name)!.access, 'read'));
}

export async function runsPage(ctx: Context): Promise<Page> {
  const runs = await ctx.service.records.listRuns({ projects: await readableProjects(ctx), limit: LIST_LIMIT });
  return { title: 'Runs', section: 'runs', body: runsList(runs) };
}

interface ActivityData {
  id: string;
  type?: string;
  status?: string;
  dependsOn?: string[];
  attempts?: number;
  startedAt?: number;
  finishedAt?: number;
  reason?: string;
  logTail?: string[];
}

/**
 * A run's activities as the page shows them: recorded with their statuses once the run reported, and
 * before that planned, each shown with the run's own state (what is known of them).
 */
function activityRows(run: RunRecord): ActivityRow[] {
  const list = Array.isArray(run.activities) ? (run.activities as ActivityData[]) : [];
  const pending = run.status === 'in_progress' || run.status === 'queued' ? run.status : isFinished(run.status) ? 'not_run' : 'waiting';
  return list.map((a) => ({
    id: a.id,
    type: a.type ?? 'activity',
    status: a.status ?? pending,
    dependsOn: a.dependsOn ?? [],
    ...(a.attempts !== undefined ? { attempts: a.attempts } : {}),
    ...(a.startedAt !== undefined ? { startedAt: a.startedAt } : {}),
    ...(a.finishedAt !== undefined ? { finishedAt: a.finishedAt } : {}),
    ...(a.reason ? { reason: a.reason } : {}),
    ...(a.logTail ? { logTail: a.logTail } : {}),
  }));
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
    ...(found.repo ? { revisionUrl: `${ctx.webRoot}/${found.repo}/commit/${run.revision}` } : {}),
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
  const outside = (await service.list()).filter((r) => r.origin === 'system');
  const readableList = await readableProjects(ctx);
  const events = await service.records.listSyncEvents({ projects: readableList, newest: true, limit: LIST_LIMIT });
  const access = await ctx.access.projects(ctx.viewer.login, [...new Set(outside.map((r) => r.project))]);
  const readable = (project: string) => readableList.includes(project);
  const last = await service.records.lastSyncEvents(outside);
  const byOf = (r: StoredResource) => last.find((e) => e.kind === r.kind && e.project === r.project && e.name === r.name && (e.version ?? '') === (r.version ?? ''));
  const drifted = outside.filter((r) => readable(r.project)).map((r): DriftedSpec => {
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
