// The settings of the config repositories a user administers: what envsync learnt of each (the
// projects it owns, how its runs are dispatched, the revision applied) and what became of its
// latest pushes. They are changed in Git (.github/envsync.yml), as everything else.
import type { ConfigRepository, PushRecord } from '../../system/records.js';
import { html, type Html } from '../html.js';
import { when } from './layout.js';

export interface RepositoryView {
  repository: ConfigRepository;
  url: string;
  settingsUrl: string;
  pushes: PushRecord[];
}

const list = (values: readonly string[] | null | undefined) => (values && values.length > 0 ? values.join(', ') : html`<span class="muted">none recorded</span>`);

export function repositoriesPage(repositories: readonly RepositoryView[]): Html {
  if (repositories.length === 0) return html`<p>You administer no config repository that envsync follows. Its settings are shown to those with the admin (or maintain) permission on it.</p>`;
  return html`${repositories.map(({ repository: r, url, settingsUrl, pushes }) => {
    const id = `repo-${r.repo.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    return html`<section aria-labelledby="${id}">
<h2 id="${id}"><a href="${url}">${r.repo}</a></h2>
<p class="muted">Settings live in <a href="${settingsUrl}">.github/envsync.yml</a>: change them there, in a pull request.</p>
<dl class="facts">
<dt>Owns projects</dt><dd>${list(r.projects)}</dd>
<dt>Default branch</dt><dd>${r.defaultBranch ?? html`<span class="muted">not known yet</span>`}</dd>
<dt>Applied revision</dt><dd>${r.appliedRevision ? html`<code>${r.appliedRevision.slice(0, 12)}</code>` : html`<span class="muted">none yet</span>`}</dd>
<dt>Runs dispatched to</dt><dd>${r.runner ? html`<code>${r.runner.workflow}</code> on ${r.runner.branch}, labels ${list(r.runner.defaultLabels)}${r.runner.package ? html`, package <code>${r.runner.package}</code>` : ''}` : html`<span class="muted">not known yet</span>`}</dd>
<dt>Followed since</dt><dd>${when(r.followedAt)}</dd>
</dl>
<h3>Latest pushes</h3>
${pushes.length === 0
  ? html`<p class="muted">None yet.</p>`
  : html`<table><thead><tr><th scope="col">When</th><th scope="col">Commit</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead>
<tbody>${pushes.map((p) => html`<tr><td>${when(p.at)}</td><td><code>${p.sha.slice(0, 12)}</code></td><td>${p.outcome}</td><td>${p.detail}</td></tr>`)}</tbody></table>`}
</section>`;
  })}`;
}
