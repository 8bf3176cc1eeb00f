// The frame of every console page: the navigation, who is signed in, and the page's own content.
import { html, type Html } from '../html.js';

export interface Viewer {
  login: string;
  csrf: string;
}

export type Section = 'environments' | 'runs' | 'events' | 'repositories';

const NAV: [Section, string, string][] = [
  ['environments', '/console', 'Environments'],
  ['runs', '/console/runs', 'Runs'],
  ['events', '/console/events', 'Sync events'],
  ['repositories', '/console/repositories', 'Repositories'],
];

/** A hidden field with the session's CSRF token: every form that changes something carries it. */
export const csrfField = (viewer: Viewer) => html`<input type="hidden" name="_csrf" value="${viewer.csrf}">`;

export function page(options: { title: string; viewer?: Viewer; section?: Section; body: Html; notice?: Html }): Html {
  const { title, viewer, section, body, notice } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · envsync</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/console">envsync</a>
  ${viewer
    ? html`<nav aria-label="Console">${NAV.map(([s, href, label]) => html`<a href="${href}"${s === section ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
  <form class="user" method="post" action="/console/sign-out">${csrfField(viewer)}<span>Signed in as <strong>${viewer.login}</strong></span> <button type="submit" class="link">Sign out</button></form>`
    : ''}
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${notice ? html`<div class="notice" role="status">${notice}</div>` : ''}
${body}
</main>
</body>
</html>
`;
}

/** A status as a badge: its word is always written, the colour only repeats it. */
export const statusBadge = (status: string) => html`<span class="badge status-${status.replace(/[^a-z_]/g, '')}">${status.replace(/_/g, ' ')}</span>`;

/** A time as people read it, with the exact one for machines and tooltips. */
export function when(iso: string | null | undefined): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}" title="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time>`;
}

const TRIGGERS: Record<string, string> = { webhook: 'Git change', internal: 'system change', manual: 'manual' };

/** What started a run, and who: "Git change by carol", "manual by alice". */
export const startedBy = (run: { trigger: string; actor: string | null }) => html`${TRIGGERS[run.trigger] ?? run.trigger}${run.actor ? html` by ${run.actor}` : ''}`;

/** An error page's body: what went wrong and what to do. */
export const problem = (message: string) => html`<p class="problem" role="alert">${message}</p><p><a href="/console">Back to the environments</a></p>`;
