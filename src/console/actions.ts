// What the console's buttons do. Each change goes where the system API's would: validated by the
// system service, stored, and brought to Git as the bot's pull request (the app's sync follows every
// change made outside Git). A form with problems is shown again with each problem on its field, and
// nothing is stored.
import { environmentDocument, missingRequired, variableAt, type VariableField } from '../engine/variable-form.js';
import { approveManualRun, startManualRun } from '../flows/runs/manual-run.js';
import { RESOURCE_NAME } from '../specs/schema/common.js';
import type { CheckedFinding } from '../system/service.js';
import { SystemError } from '../system/service.js';
import type { ConfigRepository, ResourceKey } from '../system/records.js';
import { destroyStepFor } from './destroy-step.js';
import { atLeast } from './access.js';
import { ConsoleError, requireProject, type Context } from './context.js';
import { revertToGit } from '../flows/sync/revert-spec.js';
import { environmentView, findEnvironment, launchPage, noFormReason, parseTemplate, templateFields, templateOf, type Page } from './pages.js';
import type { FieldProblem } from './views/environments.js';
import { environmentHref, runHref } from './views/hrefs.js';

/** An action's outcome: go to a page (with a notice saying what happened), or show a page again (a form with its problems). */
export type Outcome = { redirect: string; notice?: string } | { page: Page; status: number };

/** The variables a form sent: its fields named `var.NAME`. */
function variablesOf(form: URLSearchParams, fields: readonly VariableField[]): Record<string, string> {
  // No prototype: a variable may be named `constructor` or `__proto__`.
  const values = Object.create(null) as Record<string, string>;
  for (const field of fields) {
    const value = form.get(`var.${field.name}`);
    if (value !== null) values[field.name] = value;
  }
  return values;
}

/** Problems by variable ("" for those of no variable), from what the system would refuse and what the form misses. */
function problemsOf(document: Record<string, unknown>, fields: readonly VariableField[], findings: readonly CheckedFinding[], missing: readonly string[]): Map<string, FieldProblem[]> {
  const problems = new Map<string, FieldProblem[]>();
  const add = (field: string, problem: FieldProblem) => problems.set(field, [...(problems.get(field) ?? []), problem]);
  for (const name of missing) add(name, { code: 'required-missing', message: 'required: give it a value' });
  for (const f of findings) {
    // The form says "required" on the field itself; the validator's own message names the list.
    if (f.code === 'required-missing' && missing.some((name) => f.message.includes(`"${name}"`))) continue;
    // On its field when the form has one; an entry the template does not offer goes above the form.
    const variable = variableAt(document, f.path);
    add(variable !== undefined && fields.some((field) => field.name === variable) ? variable : '', { code: f.code, message: f.file === 'request' || f.path ? f.message : `${f.file}:${f.line}:${f.column}: ${f.message}` });
  }
  return problems;
}

/** Who changed a spec last, for a message. */
async function lastActor(ctx: Context, project: string, name: string): Promise<string> {
  const [event] = await ctx.service.records.lastSyncEvents([{ kind: 'Environment', project, name }]);
  return event?.actor ?? 'someone';
}

const refusal = (e: unknown): Map<string, FieldProblem[]> | undefined =>
  e instanceof SystemError ? new Map([['', e.findings.length > 0 ? e.findings.map((f) => ({ code: f.code, message: `${f.file}:${f.line}:${f.column}: ${f.message}` })) : [{ code: `http-${e.status}`, message: e.message }]]]) : undefined;

export async function launch(ctx: Context, project: string, form: URLSearchParams): Promise<Outcome> {
  const { owner } = await requireProject(ctx, project, 'write');
  const templateParam = form.get('template');
  const template = parseTemplate(templateParam);
  if (!template) throw new ConsoleError(400, 'choose an environment template first');
  const fields = await templateFields(ctx, project, template, owner);
  if (!fields) throw new ConsoleError(404, `project ${project} can use no environment template ${template.name} ${template.version}`);
  const name = (form.get('name') ?? '').trim();
  const description = (form.get('description') ?? '').trim();
  const values = variablesOf(form, fields);
  const again = async (problems: Map<string, FieldProblem[]>) => ({ status: 422, page: await launchPage(ctx, project, templateParam, { values, problems, naming: { name, description, template: templateParam! } }) });

  if (!RESOURCE_NAME.test(name)) return again(new Map([['.name', [{ code: 'invalid-name', message: 'a name of lowercase letters, digits and dashes, starting and ending with a letter or digit' }]]]));
  if (await ctx.service.find({ kind: 'Environment', project, name })) return again(new Map([['.name', [{ code: 'exists', message: `${project}/${name} exists already: change it on its own page, or choose another name` }]]]));
  const document = environmentDocument({ project, name, template, ...(description ? { description } : {}) }, fields, values);
  const problems = problemsOf(document, fields, await ctx.service.check(document), missingRequired(fields, values));
  if (problems.size > 0) return again(problems);
  try {
    await ctx.service.put(document, { trigger: 'internal', actor: ctx.viewer.login }, undefined, { ifNoneMatch: '*' });
  } catch (e) {
    const refused = refusal(e);
    if (refused) return again(refused);
    throw e;
  }
  return { redirect: environmentHref(project, name), notice: `Launched ${project}/${name}: envsync brings it to Git (the bot's pull request, or a commit where the repository asks for commits); run it here once it is there.` };
}

export async function change(ctx: Context, project: string, name: string, form: URLSearchParams): Promise<Outcome> {
  const { owner } = await requireProject(ctx, project, 'write');
  const environment = await findEnvironment(ctx, project, name);
  const template = templateOf(environment.spec);
  const fields = template && (await templateFields(ctx, project, template, owner, environment));
  if (!fields) throw new ConsoleError(409, noFormReason(project, name, template));
  const values = variablesOf(form, fields);
  const again = async (problems: Map<string, FieldProblem[]>) => ({ status: 422, page: await environmentView(ctx, project, name, { values, problems }) });
  // The form was made from one version of the spec: a change saved since would be undone by this one.
  const shown = Number(form.get('_generation'));
  if (form.has('_generation') && shown !== environment.generation) {
    // Shown again as it is stored now: the values sent would undo what the other change did.
    const problem = { code: 'changed-since', message: `${project}/${name} was changed since this form was made (by ${await lastActor(ctx, project, name)}): nothing was saved. The form now shows what is stored: make your change again` };
    return { status: 409, page: await environmentView(ctx, project, name, { problems: new Map([['', [problem]]]) }) };
  }
  const document = environmentDocument({ project, name, template }, fields, values, environment.spec as Record<string, unknown>);
  const problems = problemsOf(document, fields, await ctx.service.check(document), missingRequired(fields, values));
  if (problems.size > 0) return again(problems);
  let outcome: string;
  try {
    // The version the change was computed on: another writer in between is refused (412), not overwritten.
    ({ outcome } = await ctx.service.put(document, { trigger: 'internal', actor: ctx.viewer.login }, undefined, { ifMatch: [`"${environment.generation}"`] }));
  } catch (e) {
    const refused = refusal(e);
    if (refused) return again(refused);
    throw e;
  }
  return { redirect: environmentHref(project, name), notice: outcome === 'unchanged' ? 'Nothing changed.' : `Saved: envsync brings the change to Git (the bot's pull request, or a commit where the repository asks for commits).` };
}

export async function destroy(ctx: Context, project: string, name: string, form: URLSearchParams): Promise<Outcome> {
  await requireProject(ctx, project, 'write');
  const environment = await findEnvironment(ctx, project, name);
  if ((form.get('confirm') ?? '').trim() !== name) throw new ConsoleError(400, `type the environment's name, ${name}, to confirm: nothing was changed`);
  // Decided here from the runs, not by the form: a stale page cannot delete what still runs.
  const step = await destroyStepFor(ctx, project, name);
  if (step === 'wait') throw new ConsoleError(409, `a run of ${project}/${name} is waiting or going: destroy it once that run has finished`);
  if (form.get('step') !== step) throw new ConsoleError(409, step === 'run' ? `${project}/${name} runs something: destroy it with a destroy run first (the Destroy page starts one)` : `${project}/${name} has nothing running: reload its Destroy page to delete its spec`);
  if (step === 'run') {
    const started = await startManualRun(ctx.service, { project, environment: name, action: 'destroy', actor: ctx.viewer.login });
    return { redirect: runHref(started.id), notice: `Destroy run ${started.id} started: once it is approved and has succeeded, delete the spec from the Destroy page.` };
  }
  await ctx.service.delete({ kind: 'Environment', project, name }, { trigger: 'internal', actor: ctx.viewer.login }, { ifMatch: [`"${environment.generation}"`] });
  return { redirect: '/console', notice: `${project}/${name} is deleted from the system: envsync deletes its file from Git (the bot's pull request, or a commit where the repository asks for commits).` };
}

export async function run(ctx: Context, project: string, name: string, form: URLSearchParams): Promise<Outcome> {
  await requireProject(ctx, project, 'write');
  // A destroy run starts only from the Destroy page, where the name is typed to confirm it.
  if ((form.get('action') ?? 'deploy') !== 'deploy') throw new ConsoleError(400, 'the Run button deploys; destroy an environment from its Destroy page');
  const started = await startManualRun(ctx.service, { project, environment: name, action: 'deploy', actor: ctx.viewer.login });
  return { redirect: runHref(started.id), notice: `Run ${started.id} started.` };
}

export async function approve(ctx: Context, id: string): Promise<Outcome> {
  const found = await ctx.service.records.getRun(id);
  // Not found for someone who may not see its project: a run's id tells them nothing, not even its project.
  const access = found && (await ctx.access.project(ctx.viewer.login, found.project));
  if (!found || !access || !atLeast(access.access, 'read')) throw new ConsoleError(404, `no run ${id} that you may see`);
  await requireProject(ctx, found.project, 'write');
  await approveManualRun(ctx.service, { runId: id, actor: ctx.viewer.login });
  return { redirect: runHref(id), notice: 'Approved.' };
}

function specKeyFrom(form: URLSearchParams): ResourceKey {
  const [kind, project, name, version] = ['kind', 'project', 'name', 'version'].map((k) => form.get(k) ?? '');
  if (!kind || !project || !name) throw new ConsoleError(400, 'name the spec: kind, project and name');
  return { kind, project, name, ...(version ? { version } : {}) };
}

/** The followed repository that owns a project the viewer may change. */
async function followedOf(ctx: Context, project: string): Promise<ConfigRepository> {
  const { owner } = await requireProject(ctx, project, 'write');
  if (!owner) throw new ConsoleError(409, `no followed repository owns project ${project}`);
  return owner;
}

export async function adopt(ctx: Context, form: URLSearchParams): Promise<Outcome> {
  const key = specKeyFrom(form);
  const followed = await followedOf(ctx, key.project);
  await ctx.requestSync(followed.repo, ctx.viewer.login);
  return { redirect: '/console/events', notice: `envsync brings ${key.kind} ${key.project}/${key.name} to ${followed.repo} now (the bot's pull request, or a commit where the repository asks for commits).` };
}

export async function revert(ctx: Context, form: URLSearchParams): Promise<Outcome> {
  const key = specKeyFrom(form);
  const followed = await followedOf(ctx, key.project);
  const applied = await revertToGit(await ctx.portOf(followed.repo), ctx.service, followed, key, ctx.viewer.login);
  // The bot's pull request no longer carries what was reverted.
  await ctx.requestSync(followed.repo, ctx.viewer.login);
  const what = applied.deleted.length > 0 ? 'deleted (Git does not hold it)' : applied.created.length + applied.updated.length > 0 ? `put back as ${followed.appliedRevision!.slice(0, 12)} holds it` : 'already as Git holds it';
  return { redirect: '/console/events', notice: `${key.kind} ${key.project}/${key.name}: ${what}.` };
}
