// The runs pages: every run the user may see, and one run as it goes, its graph coloured by status.
import { html, type Html } from '../html.js';
import { activityGraph, type GraphNode } from './graph.js';
import { csrfField, startedBy, statusBadge, when, type Viewer } from './layout.js';
import { environmentHref, runHref } from './hrefs.js';

export interface RunRow {
  id: string;
  project: string;
  environment: string;
  action: string;
  status: string;
  trigger: string;
  actor: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export function runsList(runs: readonly RunRow[]): Html {
  if (runs.length === 0) return html`<p class="muted">No runs you may see yet.</p>`;
  return html`<table><thead><tr><th scope="col">Run</th><th scope="col">Environment</th><th scope="col">Action</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col">Finished</th></tr></thead>
<tbody>${runs.map(
    (r) => html`<tr><th scope="row"><a href="${runHref(r.id)}">${r.id}</a></th><td>${r.project}/${r.environment}</td><td>${r.action}</td><td>${statusBadge(r.status)}</td><td>${startedBy(r)}</td><td>${when(r.createdAt)}</td><td>${when(r.finishedAt)}</td></tr>`,
  )}</tbody></table>`;
}

export interface ActivityRow extends GraphNode {
  attempts?: number;
  startedAt?: number;
  finishedAt?: number;
  reason?: string;
  /** The last lines of its log, secrets masked by the runner. */
  logTail?: string[];
}

export interface RunView extends RunRow {
  revision: string;
  revisionUrl?: string;
  reason: string | null;
  finished: boolean;
  activities: ActivityRow[];
  /** Gates the run waits for, and whether the viewer may approve it here. */
  gates: string[];
  canApprove: boolean;
  /** Why the viewer may not approve (they started it), when that is why. */
  approveNote?: string;
}

const seconds = (a?: number, b?: number) => (a !== undefined && b !== undefined ? `${((b - a) / 1000).toFixed(1)} s` : '—');

/** The part of a run's page that changes while it goes: fetched again and swapped in (console.js). */
export function runState(viewer: Viewer, run: RunView): Html {
  return html`<div id="run-state" data-finished="${run.finished ? 'yes' : 'no'}">
<dl class="facts">
<dt>Status</dt><dd><span aria-live="polite">${statusBadge(run.status)}</span>${run.reason ? html` <span class="muted">${run.reason}</span>` : ''}</dd>
<dt>Environment</dt><dd><a href="${environmentHref(run.project, run.environment)}">${run.project}/${run.environment}</a></dd>
<dt>Action</dt><dd>${run.action}</dd>
<dt>Revision</dt><dd>${run.revisionUrl ? html`<a href="${run.revisionUrl}"><code>${run.revision.slice(0, 12)}</code></a>` : html`<code>${run.revision.slice(0, 12)}</code>`}</dd>
<dt>Trigger</dt><dd>${startedBy(run)}</dd>
<dt>Started</dt><dd>${when(run.createdAt)}</dd>
<dt>Finished</dt><dd>${when(run.finishedAt)}</dd>
</dl>
${run.status === 'waiting' && run.gates.length > 0
  ? html`<section aria-labelledby="approval-heading" class="approval"><h2 id="approval-heading">Waiting for approval</h2>
<ul>${run.gates.map((g) => html`<li><code>${g}</code></li>`)}</ul>
${run.canApprove
  ? html`<form method="post" action="${runHref(run.id)}/approvals">${csrfField(viewer)}<button type="submit">Approve</button></form>`
  : run.approveNote
    ? html`<p class="muted">${run.approveNote}</p>`
    : ''}
</section>`
  : ''}
<h2>Activities</h2>
<div class="activities">
${activityGraph(run.activities)}
<table><thead><tr><th scope="col">Activity</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Took</th><th scope="col">Log</th></tr></thead>
<tbody>${run.activities.map(
    (a) => html`<tr><th scope="row"><code>${a.id}</code></th><td>${a.type}</td><td>${statusBadge(a.status)}${a.reason ? html` <span class="muted">${a.reason}</span>` : ''}${a.attempts && a.attempts > 1 ? html` <span class="muted">${a.attempts} attempts</span>` : ''}</td><td>${seconds(a.startedAt, a.finishedAt)}</td><td>${a.logTail && a.logTail.length > 0 ? html`<details><summary>last ${a.logTail.length} lines</summary><pre>${a.logTail.join('\n')}</pre></details>` : html`<span class="muted">—</span>`}</td></tr>`,
  )}</tbody></table>
</div>
</div>`;
}
