// app.yml is what Probot's setup page registers the app from: it must parse, and ask for exactly the
// events the app acts on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { jobOfWebhook } from '../../src/app/jobs.js';

const manifest = jsyaml.load(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as { name: string; description: string; default_events: string[]; default_permissions: Record<string, string> };
type Example = { name: string; examples: Record<string, any>[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Example[];
const examplesOf = (event: string) => examples.find((e) => e.name === event)!.examples;

describe('the app manifest', () => {
  it('parses, with its description whole', () => {
    expect(manifest.name).toBe('envsync');
    expect(manifest.description).toMatch(/^GitOps for environment managers: validates specs, .* back as pull requests\.$/);
  });

  it('asks for exactly the events the app acts on', () => {
    const ignored = (event: string) => ({ skip: `envsync does not act on ${event} events` });
    const acted = examples.filter((e) => e.examples.some((payload) => payload.repository && JSON.stringify(jobOfWebhook(e.name, withPullRequest(e.name, payload))) !== JSON.stringify(ignored(e.name)))).map((e) => e.name);
    expect([...manifest.default_events].sort()).toEqual([...acted].sort());
  });
});

/**
 * The least permission GitHub documents for each request the app sends (its fine-grained token
 * section). Comments and reactions are on pull requests only, which "Pull requests" covers; the
 * public account lookups need none. A request missing here fails the test: a new call must say what
 * it needs before the manifest may ask for it.
 */
const NEEDS: Record<string, string | null> = {
  'GET /app': null, // the app's JWT
  'GET /user': null, // the CLI's token, never the app
  'GET /users/{username}': null,
  'GET /orgs/{org}/teams/{team_slug}/memberships/{username}': 'members:read',
  'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}': 'actions:read',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts': 'actions:read',
  'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs': 'actions:read',
  'POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel': 'actions:write',
  'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches': 'actions:write',
  'GET /repos/{owner}/{repo}/branches/{branch}': 'contents:read',
  'GET /repos/{owner}/{repo}/collaborators/{username}/permission': 'metadata:read',
  'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls': 'pull_requests:read',
  'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': 'checks:read',
  'POST /repos/{owner}/{repo}/check-runs': 'checks:write',
  'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': 'checks:write',
  'GET /repos/{owner}/{repo}/compare/{basehead}': 'contents:read',
  'GET /repos/{owner}/{repo}/contents/{path}': 'contents:read',
  'GET /repos/{owner}/{repo}/git/blobs/{file_sha}': 'contents:read',
  'GET /repos/{owner}/{repo}/tarball/{ref}': 'contents:read',
  'POST /repos/{owner}/{repo}/git/commits': 'contents:write',
  'POST /repos/{owner}/{repo}/git/trees': 'contents:write',
  'POST /repos/{owner}/{repo}/git/refs': 'contents:write',
  'PATCH /repos/{owner}/{repo}/git/refs/{ref}': 'contents:write',
  'GET /repos/{owner}/{repo}/deployments': 'deployments:read',
  'POST /repos/{owner}/{repo}/deployments': 'deployments:write',
  'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': 'deployments:read',
  'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': 'deployments:write',
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': 'pull_requests:read',
  'GET /repos/{owner}/{repo}/commits/{commit_sha}/comments': 'contents:read',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}': 'actions:read',
  'POST /repos/{owner}/{repo}/commits/{commit_sha}/comments': 'contents:write',
  'PATCH /repos/{owner}/{repo}/comments/{comment_id}': 'contents:write',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': 'pull_requests:write',
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': 'pull_requests:write',
  'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions': 'pull_requests:write',
  'GET /repos/{owner}/{repo}/pulls': 'pull_requests:read',
  'POST /repos/{owner}/{repo}/pulls': 'pull_requests:write',
  'GET /repos/{owner}/{repo}/pulls/{pull_number}': 'pull_requests:read',
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': 'pull_requests:write',
};
/** What GitHub asks of an app before it sends each event: issue_comment comes with "Issues" read. */
const EVENT_NEEDS: Record<string, string> = { push: 'contents:read', pull_request: 'pull_requests:read', issue_comment: 'issues:read', check_run: 'checks:read', check_suite: 'checks:read', workflow_run: 'actions:read' };

describe('the permissions the manifest asks for', () => {
  it('are exactly what the requests and events need: no more, no less', () => {
    const sources = ['../../src/github/octokit-port.ts', '../../src/app/bot-identity.ts'].map((f) => readFileSync(new URL(f, import.meta.url), 'utf8')).join('\n');
    const routes = [...new Set([...sources.matchAll(/request\('([A-Z]+ [^']+)'/g)].map((m) => m[1]!))].sort();
    expect(routes.filter((r) => !(r in NEEDS))).toEqual([]);
    const needed = new Map<string, string>();
    for (const need of [...routes.map((r) => NEEDS[r]), ...manifest.default_events.map((e) => EVENT_NEEDS[e])]) {
      if (!need) continue;
      const [permission, level] = need.split(':') as [string, string];
      if (needed.get(permission) !== 'write') needed.set(permission, level);
    }
    expect(manifest.default_permissions).toEqual(Object.fromEntries([...needed].sort()));
  });
});

describe('a re-run requested on a check', () => {
  it('checks the pull request of its head again', () => {
    const payload = withPullRequest('check_run', examplesOf('check_run').find((p) => p.action === 'rerequested')!);
    const intake = jobOfWebhook('check_run', payload);
    const { owner, name } = { owner: payload.repository.owner.login, name: payload.repository.name };
    expect(intake).toEqual({
      repo: `${owner}/${name}`,
      job: { task: 'check-pull-request', queue: `${owner}/${name}#7`.toLowerCase(), payload: { installation: payload.installation.id, repo: { owner, repo: name }, number: 7 } },
    });
  });

  it('"Re-run all checks" (check_suite.rerequested) checks the pull request of its head again', () => {
    const payload = withPullRequest('check_suite', examplesOf('check_suite').find((p) => p.action === 'rerequested')!);
    const { owner, name } = { owner: payload.repository.owner.login, name: payload.repository.name };
    expect(jobOfWebhook('check_suite', payload)).toEqual({
      repo: `${owner}/${name}`,
      job: { task: 'check-pull-request', queue: `${owner}/${name}#7`.toLowerCase(), payload: { installation: payload.installation.id, repo: { owner, repo: name }, number: 7 } },
    });
    expect(jobOfWebhook('check_suite', { ...payload, action: 'completed' })).toEqual({ skip: 'check_suite.completed changes nothing envsync checks' });
  });

  it('of a check of no pull request, or any other check_run action, makes no job', () => {
    const rerequested = examplesOf('check_run').find((p) => p.action === 'rerequested')!;
    expect(jobOfWebhook('check_run', { ...rerequested, installation: { id: 1 } })).toEqual({ skip: 'a re-run of a check of no pull request' });
    expect(jobOfWebhook('check_run', { ...examplesOf('check_run')[0]!, installation: { id: 1 } })).toEqual({ skip: 'check_run.created changes nothing envsync checks' });
  });
});

/** GitHub's examples of check_run.rerequested name no pull request: one, #7, is put in; every example gets an installation. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function withPullRequest(event: string, payload: Record<string, any>): Record<string, any> {
  const copy = structuredClone(payload);
  copy.installation ??= { id: 1 };
  if ((event === 'check_run' || event === 'check_suite') && copy.action === 'rerequested') copy[event].pull_requests = [{ number: 7 }];
  return copy;
}
