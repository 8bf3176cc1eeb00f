// The sync events page: what changed the system, through which path and by whom, and the specs
// changed outside Git, each to adopt into Git (the bot's pull request) or revert to what Git holds.
import type { SyncEvent } from '../../system/records.js';
import { fieldLabel, firstAndMore } from '../../render/fit.js';
import { html, type Html } from '../html.js';
import { csrfField, when, type Viewer } from './layout.js';

const TRIGGER: Record<SyncEvent['trigger'], string> = { webhook: 'Webhook', internal: 'Internal', manual: 'Manual' };

export interface DriftedSpec {
  kind: string;
  project: string;
  name: string;
  version?: string;
  updatedAt: string;
  /** Who changed it last, and through what. */
  by?: string;
  canChange: boolean;
}

/** An update's changed fields as a reviewer names them: `replicas, owner_team and 3 more`. */
const changedList = (fields: readonly string[]) => firstAndMore([...new Set(fields.map(fieldLabel))], 5);

const specName = (s: { kind: string; project: string; name: string; version?: string }) => `${s.kind} ${s.project}/${s.name}${s.version ? ` ${s.version}` : ''}`;

function driftForm(viewer: Viewer, spec: DriftedSpec, action: 'adopt' | 'revert', label: string): Html {
  return html`<form method="post" action="/console/drift/${action}">${csrfField(viewer)}<input type="hidden" name="kind" value="${spec.kind}"><input type="hidden" name="project" value="${spec.project}"><input type="hidden" name="name" value="${spec.name}">${spec.version ? html`<input type="hidden" name="version" value="${spec.version}">` : ''}<button type="submit" aria-label="${label}: ${specName(spec)}">${label}</button></form>`;
}

export function eventsPage(viewer: Viewer, drifted: readonly DriftedSpec[], events: readonly SyncEvent[]): Html {
  return html`<section aria-labelledby="drift-heading"><h2 id="drift-heading">Changed outside Git</h2>
${drifted.length === 0
  ? html`<p class="muted">Every spec you may see is as Git holds it.</p>`
  : html`<p>These specs were changed in the system (the API, the console, the CLI) and are not in Git yet. Adopt one to bring it to Git now as the bot's pull request, or revert it to the revision Git holds.</p>
<table><thead><tr><th scope="col">Spec</th><th scope="col">Changed</th><th scope="col">By</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${drifted.map(
      (s) => html`<tr><th scope="row">${specName(s)}</th><td>${when(s.updatedAt)}</td><td>${s.by ?? html`<span class="muted">unknown</span>`}</td><td class="row-actions">${s.canChange ? html`${driftForm(viewer, s, 'adopt', 'Adopt into Git')} ${driftForm(viewer, s, 'revert', 'Revert to Git')}` : ''}</td></tr>`,
    )}</tbody></table>`}
</section>
<section aria-labelledby="events-heading"><h2 id="events-heading">Audit trail</h2>
${events.length === 0
  ? html`<p class="muted">No sync events yet.</p>`
  : html`<table><thead><tr><th scope="col">When</th><th scope="col">Path</th><th scope="col">Actor</th><th scope="col">Change</th><th scope="col">Revision</th></tr></thead>
<tbody>${events.map(
      (e) => html`<tr><td>${when(e.at)}</td><td>${TRIGGER[e.trigger]}</td><td>${e.actor ?? html`<span class="muted">—</span>`}</td><td>${e.operation} ${specName(e)}${e.fields && e.fields.length > 0 ? html` <br><span class="muted">changed: ${changedList(e.fields)}</span>` : ''}</td><td>${e.revision ? html`<code>${e.revision.slice(0, 12)}</code>` : html`<span class="muted">—</span>`}</td></tr>`,
    )}</tbody></table>`}
</section>`;
}
