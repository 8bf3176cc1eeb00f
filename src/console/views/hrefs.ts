// The console's addresses, made in one place: pages link to them, actions redirect to them.
const part = encodeURIComponent;

export const environmentHref = (project: string, name: string) => `/console/projects/${part(project)}/environments/${part(name)}`;
export const launchHref = (project: string) => `/console/projects/${part(project)}/launch`;
export const runHref = (id: string) => `/console/runs/${part(id)}`;
/** Answers with a redirect to the project's bot pull request on GitHub (with ?format=json, where it stands). */
export const botPullRequestHref = (project: string) => `/console/projects/${part(project)}/bot-pull-request`;
