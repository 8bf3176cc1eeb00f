// The environments pages: every project's environments, one environment, and the forms that launch,
// change and destroy one (each change becomes a bot pull request).
import { needsValue, type VariableField } from '../../engine/variable-form.js';
import { html, type Html } from '../html.js';
import { csrfField, startedBy, statusBadge, when, type Viewer } from './layout.js';

export interface LastRun {
  id: string;
  status: string;
  action: string;
  trigger: string;
  actor: string | null;
  at: string;
}

export interface EnvironmentRow {
  project: string;
  name: string;
  template?: { name: string; version: string };
  lastRun?: LastRun;
  /** Changed outside Git and not back in Git yet. */
  outsideGit: boolean;
  /** Its Deployment on GitHub, once a run made one. */
  deploymentUrl?: string;
}

export interface ProjectView {
  name: string;
  repo?: string;
  repoUrl?: string;
  canChange: boolean;
  environments: EnvironmentRow[];
}

import { environmentHref, launchHref, runHref } from './hrefs.js';


function lastRunCell(run: LastRun | undefined): Html {
  if (!run) return html`<span class="muted">never run</span>`;
  return html`<a href="${runHref(run.id)}">${statusBadge(run.status)}</a> ${run.action}, ${when(run.at)}<br><span class="muted">${startedBy(run)}</span>`;
}

export const gitMarker = (outsideGit: boolean) =>
  outsideGit ? html`<span class="badge drift" title="Changed outside Git: the bot pull request brings it to Git">changed outside Git</span>` : html`<span class="badge in-git">in Git</span>`;

export function overview(projects: readonly ProjectView[]): Html {
  if (projects.length === 0) return html`<p>No project you may see. The console shows the projects of the config repositories envsync follows, to those who may read those repositories on GitHub.</p>`;
  return html`${projects.map(
    (p) => html`<section aria-labelledby="project-${p.name}">
<h2 id="project-${p.name}">${p.name}${p.repo ? html` <span class="muted small">from <a href="${p.repoUrl}">${p.repo}</a></span>` : ''}</h2>
${p.canChange ? html`<p><a class="button" href="${launchHref(p.name)}">Launch an environment</a></p>` : ''}
${p.environments.length === 0
  ? html`<p class="muted">No environments yet.</p>`
  : html`<table>
<caption class="visually-hidden">Environments of ${p.name}</caption>
<thead><tr><th scope="col">Environment</th><th scope="col">Template</th><th scope="col">Last run</th><th scope="col">Git</th><th scope="col">Deployment</th></tr></thead>
<tbody>${p.environments.map(
      (e) => html`<tr>
<th scope="row"><a href="${environmentHref(e.project, e.name)}">${e.name}</a></th>
<td>${e.template ? `${e.template.name} ${e.template.version}` : html`<span class="muted">none</span>`}</td>
<td>${lastRunCell(e.lastRun)}</td>
<td>${gitMarker(e.outsideGit)}</td>
<td>${e.deploymentUrl ? html`<a href="${e.deploymentUrl}">on GitHub</a>` : html`<span class="muted">—</span>`}</td>
</tr>`,
    )}</tbody>
</table>`}
</section>`,
  )}`;
}

export interface FieldProblem {
  message: string;
  code: string;
}

/** One variable as a form field: its label, its help, its problems, linked for screen readers. */
function variableField(field: VariableField, value: string | undefined, problems: readonly FieldProblem[]): Html {
  const id = `var-${field.name}`;
  const help = `${id}-help`;
  const error = `${id}-error`;
  const described = [help, ...(problems.length > 0 ? [error] : [])].join(' ');
  const shown = value ?? field.current ?? '';
  const invalid = problems.length > 0 ? html` aria-invalid="true"` : '';
  const required = needsValue(field) ? html` required` : '';
  let control: Html;
  if (field.override === 'notallowed') {
    control = html`<input id="${id}" type="text" value="${field.sensitive ? '' : (field.default ?? '')}" disabled aria-describedby="${described}">`;
  } else if (field.override === 'restricted') {
    control = html`<select id="${id}" name="var.${field.name}" aria-describedby="${described}"${invalid}${required}>
<option value="">${field.default !== undefined ? `template's value (${field.default})` : '(none)'}</option>
${(field.allowed ?? []).map((v) => html`<option value="${v}"${v === shown ? html` selected` : ''}>${v}</option>`)}
</select>`;
  } else if (field.sensitive) {
    control = html`<input id="${id}" type="password" name="var.${field.name}" autocomplete="new-password" value="" aria-describedby="${described}"${invalid}${field.set ? '' : required}>`;
  } else if (field.valueType === 'json' || field.valueType === 'hcl' || shown.includes('\n')) {
    // The line break after the tag is HTML's: a parser drops the first one, so a value's own is kept.
    control = html`<textarea id="${id}" name="var.${field.name}" rows="${Math.min(12, Math.max(3, shown.split('\n').length))}" spellcheck="false" aria-describedby="${described}"${invalid}${required}>
${shown}</textarea>`;
  } else {
    control = html`<input id="${id}" type="text" name="var.${field.name}" value="${shown}" spellcheck="false" aria-describedby="${described}"${invalid}${required}>`;
  }
  const notes = [
    field.description,
    field.valueType !== 'text' ? `${field.valueType}` : undefined,
    field.required ? 'required' : undefined,
    field.override === 'notallowed' ? 'set by the template; environments may not change it' : undefined,
    field.override === 'restricted' ? `one of ${(field.allowed ?? []).join(', ')}` : undefined,
    field.sensitive ? (field.set ? 'secret: a value is set; leave empty to keep it' : 'secret: never shown again') : undefined,
    field.default !== undefined && field.override !== 'notallowed' ? `empty: the template's value, ${field.default === '' ? '(empty)' : field.default}` : undefined,
    field.default === undefined && field.hasTemplateValue && field.override !== 'notallowed' ? "empty: the template's value (a secret)" : undefined,
  ].filter((n): n is string => n !== undefined);
  return html`<div class="field${problems.length > 0 ? ' has-error' : ''}">
<label for="${id}">${field.name}</label>
${control}
<p class="help" id="${help}">${notes.join(' · ')}</p>
${problems.length > 0 ? html`<ul class="error" id="${error}">${problems.map((p) => html`<li>${p.message} <span class="muted">(${p.code})</span></li>`)}</ul>` : ''}
</div>`;
}

export interface VariablesForm {
  action: string;
  fields: readonly VariableField[];
  values?: Readonly<Record<string, string>>;
  /** Problems by variable; those of no variable under the key "". */
  problems?: ReadonlyMap<string, readonly FieldProblem[]>;
  submit: string;
  /** Launch only: the new environment's name and description. */
  naming?: { name: string; description: string; template: string };
  /** Change only: the version of the spec the form shows, sent back so that a change made since is not undone. */
  generation?: number;
}

export function variablesForm(viewer: Viewer, form: VariablesForm): Html {
  const nameProblems = form.problems?.get('.name') ?? [];
  // Every problem at the top too, each linked to its field: what a screen reader hears first.
  const order = ['.name', ...form.fields.map((f) => f.name), ''];
  const summary = order.flatMap((field) =>
    (form.problems?.get(field) ?? []).map((p) => (field === '' ? html`<li>${p.message} <span class="muted">(${p.code})</span></li>` : html`<li><a href="#${field === '.name' ? 'env-name' : `var-${field}`}">${field === '.name' ? 'Name' : field}</a>: ${p.message}</li>`)),
  );
  return html`<form method="post" action="${form.action}" class="variables" novalidate>
${csrfField(viewer)}
${form.generation !== undefined ? html`<input type="hidden" name="_generation" value="${form.generation}">` : ''}
${summary.length > 0 ? html`<div class="error-summary" role="alert" tabindex="-1"><p>Nothing was sent: fix these first.</p><ul>${summary}</ul></div>` : ''}
${form.naming
  ? html`<input type="hidden" name="template" value="${form.naming.template}">
<div class="field${nameProblems.length > 0 ? ' has-error' : ''}">
<label for="env-name">Name</label>
<input id="env-name" name="name" type="text" required value="${form.naming.name}" pattern="[a-z0-9]([a-z0-9-]*[a-z0-9])?" aria-describedby="env-name-help${nameProblems.length > 0 ? ' env-name-error' : ''}"${nameProblems.length > 0 ? html` aria-invalid="true"` : ''}>
<p class="help" id="env-name-help">lowercase letters, digits and dashes</p>
${nameProblems.length > 0 ? html`<ul class="error" id="env-name-error">${nameProblems.map((p) => html`<li>${p.message}</li>`)}</ul>` : ''}
</div>
<div class="field"><label for="env-description">Description</label><input id="env-description" name="description" type="text" value="${form.naming.description}"></div>`
  : ''}
<fieldset><legend>Variables</legend>
${form.fields.length === 0 ? html`<p class="muted">The template has no variables.</p>` : form.fields.map((f) => variableField(f, form.values?.[f.name], form.problems?.get(f.name) ?? []))}
</fieldset>
<p><button type="submit">${form.submit}</button></p>
</form>`;
}

export interface TemplateChoice {
  name: string;
  version: string;
  project: string;
  description?: string;
}

export function templateChoices(project: string, templates: readonly TemplateChoice[]): Html {
  if (templates.length === 0) return html`<p>Project ${project} can use no environment template: add one to its config repository first.</p>`;
  return html`<p>Choose the environment template to launch from:</p>
<ul class="choices">${templates.map(
    (t) => html`<li><a href="${launchHref(project)}?template=${encodeURIComponent(`${t.name}@${t.version}`)}">${t.name} ${t.version}</a>${t.project !== project ? html` <span class="muted">(shared by ${t.project})</span>` : ''}${t.description ? html` — ${t.description}` : ''}</li>`,
  )}</ul>`;
}

export interface EnvironmentView {
  project: string;
  name: string;
  description?: string;
  template?: { name: string; version: string };
  outsideGit: boolean;
  /** Where the bot pull request that brings it to Git is looked up (the console answers with a redirect). */
  botPullRequest?: string;
  deploymentUrl?: string;
  runs: LastRun[];
  canChange: boolean;
  /** The change form, when the user may change it and its template is known. */
  form?: VariablesForm;
  /** Why a user who may change it gets no form. */
  noForm?: string;
}

export function environmentPage(viewer: Viewer, view: EnvironmentView): Html {
  const base = environmentHref(view.project, view.name);
  return html`<dl class="facts">
<dt>Project</dt><dd>${view.project}</dd>
<dt>Template</dt><dd>${view.template ? `${view.template.name} ${view.template.version}` : 'none'}</dd>
${view.description ? html`<dt>Description</dt><dd>${view.description}</dd>` : ''}
<dt>Git</dt><dd>${gitMarker(view.outsideGit)}${view.outsideGit && view.botPullRequest ? html` <a data-bot-pull-request href="${view.botPullRequest}">the bot pull request</a>` : ''}</dd>
<dt>Deployment</dt><dd>${view.deploymentUrl ? html`<a href="${view.deploymentUrl}">on GitHub</a>` : html`<span class="muted">none yet</span>`}</dd>
</dl>
${view.canChange
  ? html`<div class="actions">
${view.outsideGit
  ? html`<p class="muted">It runs what Git holds: run it once its change is in Git (merge the bot's pull request).</p>`
  : html`<form method="post" action="${base}/runs">${csrfField(viewer)}<input type="hidden" name="action" value="deploy"><button type="submit">Run</button></form>`}
<a class="button danger" href="${base}/destroy">Destroy…</a>
</div>`
  : ''}
<section aria-labelledby="runs-heading"><h2 id="runs-heading">Runs</h2>
${view.runs.length === 0
  ? html`<p class="muted">No runs yet.</p>`
  : html`<table><thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Action</th><th scope="col">Trigger</th><th scope="col">When</th></tr></thead>
<tbody>${view.runs.map((r) => html`<tr><th scope="row"><a href="${runHref(r.id)}">${r.id}</a></th><td>${statusBadge(r.status)}</td><td>${r.action}</td><td>${startedBy(r)}</td><td>${when(r.at)}</td></tr>`)}</tbody></table>`}
</section>
${view.form ? html`<section aria-labelledby="change-heading"><h2 id="change-heading">Change</h2><p class="muted">A change is stored in the system, and envsync brings it to Git (the bot's pull request, or a commit where the repository asks for commits).</p>${variablesForm(viewer, view.form)}</section>` : ''}
${view.noForm ? html`<section aria-labelledby="change-heading"><h2 id="change-heading">Change</h2><p>${view.noForm}.</p></section>` : ''}`;
}

/**
 * Destroying is two steps: a destroy run tears down what the environment runs (approved as every
 * run is), then its spec is deleted, which the bot's pull request deletes from Git. An environment
 * that nothing was run for, or that a destroy run tore down last, goes to the second step at once.
 */
export type DestroyStep = 'run' | 'delete' | 'wait';

export function destroyConfirmation(viewer: Viewer, project: string, name: string, step: DestroyStep): Html {
  const base = environmentHref(project, name);
  if (step === 'wait') {
    return html`<p>A run of <strong>${project}/${name}</strong> is waiting or going. Destroy it once that run has finished: the environment's page shows its runs.</p><p><a href="${base}">Back to ${name}</a></p>`;
  }
  const explain =
    step === 'run'
      ? html`<p>Destroying <strong>${project}/${name}</strong> starts a destroy run: the runner tears down what the environment runs, once someone else with write access has approved it. When that run has succeeded, come back here to delete its spec.</p>`
      : html`<p>Nothing runs for <strong>${project}/${name}</strong> now (it was never run, or a destroy run tore it down). Deleting its spec removes it from the system, and the bot's pull request deletes its file from Git.</p>`;
  return html`${explain}
<form method="post" action="${base}/destroy">${csrfField(viewer)}<input type="hidden" name="step" value="${step}">
<div class="field"><label for="confirm">Type the environment's name, ${name}, to confirm</label><input id="confirm" name="confirm" type="text" autocomplete="off" required></div>
<p><button type="submit" class="danger">${step === 'run' ? `Start the destroy run of ${name}` : `Delete ${name}`}</button> <a href="${base}">Cancel</a></p>
</form>`;
}
