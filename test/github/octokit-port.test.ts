// Every operation of the Octokit port against nock, through Probot's Octokit as the app builds it:
// what each one returns, which requests it sends (exactly), and that each request is one GitHub's
// own REST description (@octokit/openapi) has, with parameters it takes and a body its schema
// accepts. The answers given here are checked against the description too, so that they are answers
// GitHub could give (field names and types; tests leave out the fields the port does not read).
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { beforeEach, describe, expect, it } from 'vitest';
import { noreplyAuthor, OctokitPort, type PortOptions } from '../../src/github/octokit-port.js';
import type { Annotation, CheckRun, GitHubPort } from '../../src/github/port.js';
import { checkAnswers, checkedNock } from '../helpers/checked-nock.js';
import { checkRequest, checkResponse } from '../helpers/openapi-check.js';

const API = 'https://api.github.com';
const repo = { owner: 'acme', repo: 'config' };
const APP_ID = 90210;
const HEAD = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const BASE = '9049f1265b7d61be4a8904a9a27120d2064dab3b';
const MERGE = 'e5bd3914e2e596debea16f433f57875b5b90bcd6';
const TREE = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { ...(o.throttle as object), enabled: false } }));

/** The requests nock answered, in order: `METHOD /path?query` and the JSON body, if any. */
let sent: { request: string; body?: unknown }[];
/** What GitHub's description says is wrong with a request sent or an answer given: none, after each test. */
const { problems } = checkedNock();
/** The port's operations the suite has called: the last test wants them all. */
const called = new Set<string>();

/** GitHub's REST API under nock: each request it answers is recorded and checked against the description. */
function github() {
  return nock(API).on('request', (req: { method: string; path: string }, _interceptor: unknown, body: string) => {
    const parsed: unknown = body ? JSON.parse(body) : undefined;
    sent.push({ request: `${req.method} ${req.path}`, ...(parsed !== undefined ? { body: parsed } : {}) });
    problems.push(...checkRequest(req.method, req.path, parsed));
  });
}

/** A port over Probot's Octokit whose every answer (or error answer) is checked against the description. */
function portOf(options: PortOptions = {}): OctokitPort {
  const octokit = new TestOctokit({ auth: { token: 'test-token' } });
  checkAnswers(octokit, problems);
  const port = new OctokitPort(octokit, options);
  return new Proxy(port, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof key === 'string' && typeof value === 'function') called.add(key);
      return value;
    },
  });
}

beforeEach(() => {
  sent = [];
});

// Answers as GitHub gives them (the fields the port reads, and a few around them).
const account = (login: string, type: 'User' | 'Bot' = 'User', id = 583231) => ({ login, id, node_id: 'MDQ6VXNlcjU4MzIzMQ==', type, site_admin: false, html_url: `https://github.com/${login}` });
const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };
const serverError = { message: 'Server Error', status: '500' };
const ourApp = { id: APP_ID, slug: 'envsync', node_id: 'MDM6QXBwOTAyMTA=', name: 'envsync' };

const pullRequestSimple = (number: number, state: 'open' | 'closed', mergedAt: string | null) => ({
  url: `${API}/repos/acme/config/pulls/${number}`,
  id: 1_000_000 + number,
  html_url: `https://github.com/acme/config/pull/${number}`,
  number,
  state,
  title: 'Add the staging environment',
  user: account('alice'),
  head: { label: 'acme:staging', ref: 'staging', sha: HEAD },
  base: { label: 'acme:main', ref: 'main', sha: BASE },
  created_at: '2024-05-01T09:00:00Z',
  merged_at: mergedAt,
  // GitHub names a test merge commit while a pull request is open, and the real one once merged.
  merge_commit_sha: MERGE,
});
const pullRequest = (number: number, state: 'open' | 'closed', mergedAt: string | null) => ({ ...pullRequestSimple(number, state, mergedAt), merged: mergedAt !== null });

const output = { title: 'All specs are valid', summary: '3 files checked', text: 'Nothing to report.' };
const checkRun = (name: string, id: number, options: { app?: typeof ourApp; conclusion?: string; annotations?: number; text?: string | null } = {}) => ({
  id,
  node_id: 'CR_kwDOABCD',
  name,
  head_sha: HEAD,
  external_id: '',
  url: `${API}/repos/acme/config/check-runs/${id}`,
  html_url: `https://github.com/acme/config/runs/${id}`,
  status: 'completed',
  conclusion: options.conclusion ?? 'success',
  started_at: '2024-05-01T09:00:00Z',
  completed_at: '2024-05-01T09:00:05Z',
  output: { ...output, text: options.text === undefined ? output.text : options.text, annotations_count: options.annotations ?? 0, annotations_url: `${API}/repos/acme/config/check-runs/${id}/annotations` },
  app: options.app ?? ourApp,
  pull_requests: [],
});
const checkRuns = (...runs: ReturnType<typeof checkRun>[]) => ({ total_count: runs.length, check_runs: runs });
const wanted: CheckRun = { name: 'envsync/validate', headSha: HEAD, status: 'completed', conclusion: 'success', output };

const annotation = (line: number): Annotation => ({ path: 'projects/payments/environments/prod.yaml', start_line: line, end_line: line, annotation_level: 'warning', message: `warning ${line}`, title: 'Unknown key' });

const issueComment = (id: number, body: string, options: { user?: ReturnType<typeof account>; app?: { id: number; slug: string; name: string } | null } = {}) => ({
  id,
  node_id: 'IC_kwDOABCD',
  url: `${API}/repos/acme/config/issues/comments/${id}`,
  html_url: `https://github.com/acme/config/pull/7#issuecomment-${id}`,
  body,
  user: options.user ?? account('envsync[bot]', 'Bot', 41898282),
  created_at: '2024-05-01T09:00:00Z',
  updated_at: '2024-05-01T09:00:00Z',
  issue_url: `${API}/repos/acme/config/issues/7`,
  author_association: 'NONE',
  performed_via_github_app: options.app === undefined ? ourApp : options.app,
});
const commitComment = (id: number, body: string) => ({
  id,
  node_id: 'CC_kwDOABCD',
  url: `${API}/repos/acme/config/comments/${id}`,
  html_url: `https://github.com/acme/config/commit/${HEAD}#commitcomment-${id}`,
  body,
  path: null,
  position: null,
  line: null,
  commit_id: HEAD,
  user: account('envsync[bot]', 'Bot', 41898282),
  created_at: '2024-05-01T09:00:00Z',
  updated_at: '2024-05-01T09:00:00Z',
  author_association: 'NONE',
});

const contentLinks = (path: string) => ({
  url: `${API}/repos/acme/config/contents/${path}?ref=main`,
  git_url: `${API}/repos/acme/config/git/blobs/${TREE}`,
  html_url: `https://github.com/acme/config/blob/main/${path}`,
  download_url: `https://raw.githubusercontent.com/acme/config/main/${path}`,
  _links: { self: `${API}/repos/acme/config/contents/${path}?ref=main`, git: `${API}/repos/acme/config/git/blobs/${TREE}`, html: `https://github.com/acme/config/blob/main/${path}` },
});
const fileEntry = (path: string, text: string, options: { size?: number; withContent?: boolean } = {}) => ({
  type: 'file',
  // Past 1 MB GitHub leaves the content out: encoding "none", content empty.
  encoding: options.withContent === false ? 'none' : 'base64',
  size: options.size ?? Buffer.byteLength(text),
  name: path.split('/').pop(),
  path,
  content: options.withContent === false ? '' : Buffer.from(text).toString('base64'),
  sha: TREE,
  ...contentLinks(path),
});

const commitOf = (sha: string, parents: string[], author: string) => ({
  sha,
  node_id: 'C_kwDOABCD',
  url: `${API}/repos/acme/config/commits/${sha}`,
  html_url: `https://github.com/acme/config/commit/${sha}`,
  commit: { message: 'Add staging', author: { name: author, email: `${author}@example.com`, date: '2024-05-01T09:00:00Z' }, tree: { sha: TREE, url: `${API}/repos/acme/config/git/trees/${TREE}` } },
  parents: parents.map((p) => ({ sha: p, url: `${API}/repos/acme/config/commits/${p}` })),
});
const comparison = (commits: ReturnType<typeof commitOf>[], files?: { filename: string; status: string; previous_filename?: string }[]) => ({
  url: `${API}/repos/acme/config/compare/main...staging`,
  html_url: 'https://github.com/acme/config/compare/main...staging',
  status: 'ahead',
  ahead_by: commits.length,
  behind_by: 0,
  total_commits: commits.length,
  base_commit: commitOf(BASE, [], 'carol'),
  merge_base_commit: commitOf(BASE, [], 'carol'),
  commits,
  ...(files ? { files: files.map((f) => ({ sha: TREE, additions: 1, deletions: 0, changes: 1, ...f })) } : {}),
});

const workflowRun = (id: number, title: string, status = 'in_progress', conclusion: string | null = null) => ({
  id,
  name: 'envsync run',
  display_title: title,
  node_id: 'WFR_kwDOABCD',
  head_branch: 'main',
  head_sha: HEAD,
  run_number: 12,
  event: 'workflow_dispatch',
  status,
  conclusion,
  workflow_id: 161335,
  html_url: `https://github.com/acme/config/actions/runs/${id}`,
  created_at: '2024-05-01T09:00:10Z',
  updated_at: '2024-05-01T09:00:10Z',
});

const deployment = (id: number, payload: Record<string, string> | string) => ({
  url: `${API}/repos/acme/config/deployments/${id}`,
  id,
  node_id: 'DE_kwDOABCD',
  sha: HEAD,
  ref: HEAD,
  task: 'deploy',
  payload,
  environment: 'payments/prod',
  description: 'envsync run 41',
  creator: account('envsync[bot]', 'Bot', 41898282),
  created_at: '2024-05-01T09:00:00Z',
  updated_at: '2024-05-01T09:00:00Z',
  statuses_url: `${API}/repos/acme/config/deployments/${id}/statuses`,
  repository_url: `${API}/repos/acme/config`,
});
const deploymentStatus = (state: string, description: string) => ({
  url: `${API}/repos/acme/config/deployments/77/statuses/1`,
  id: 1,
  node_id: 'DES_kwDOABCD',
  state,
  creator: account('envsync[bot]', 'Bot', 41898282),
  description,
  environment: 'payments/prod',
  created_at: '2024-05-01T09:00:00Z',
  updated_at: '2024-05-01T09:00:00Z',
  deployment_url: `${API}/repos/acme/config/deployments/77`,
  repository_url: `${API}/repos/acme/config`,
});

describe('the checker against GitHub’s description', () => {
  // The checks below would pass vacuously if the checker found nothing: it finds these.
  it('refuses a path GitHub has no operation for, and a method a path does not take', () => {
    expect(checkRequest('GET', '/repos/acme/config/check-suns/1', undefined)).toEqual(["GET /repos/acme/config/check-suns/1: no such operation in GitHub's REST description"]);
    expect(checkRequest('DELETE', '/repos/acme/config/check-runs/1', undefined)).toEqual(["DELETE /repos/acme/config/check-runs/1: no such operation in GitHub's REST description"]);
  });

  it('refuses an unknown query parameter and a value its schema does not take', () => {
    expect(checkRequest('GET', '/repos/acme/config/commits/abc/check-runs?filter=newest&perpage=5', undefined)).toEqual([
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs: query parameter filter must be equal to one of the allowed values',
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs: unknown query parameter perpage',
    ]);
  });

  it('refuses a body that lacks a required field, holds an unknown one or a wrong type', () => {
    expect(checkRequest('POST', '/repos/acme/config/git/refs', { sha: 1, force: true })).toEqual([
      "POST /repos/{owner}/{repo}/git/refs: body must have required property 'ref'",
      'POST /repos/{owner}/{repo}/git/refs: body/sha must be string',
      'POST /repos/{owner}/{repo}/git/refs: body.force is not a field GitHub describes',
    ]);
    expect(checkRequest('PATCH', '/repos/acme/config/check-runs/5', { head_sha: HEAD })).toEqual(['PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}: body.head_sha is not a field GitHub describes']);
  });

  it('prefers the operation with the most literal path, and reads an escaped path parameter as one', () => {
    expect(checkRequest('GET', '/repos/acme/config/pulls/comments', undefined)).toEqual([]);
    expect(checkRequest('PATCH', '/repos/acme/config/git/refs/heads%2Fenvsync%2Fsync', { sha: HEAD })).toEqual([]);
  });

  it('refuses an answer with a field GitHub does not give, or of another type', () => {
    expect(checkResponse('GET', '/repos/acme/config/pulls/7', 200, { number: '7', mergeable_sha: HEAD })).toEqual([
      'GET /repos/{owner}/{repo}/pulls/{pull_number}: 200 answer.number is "7", not integer',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}: 200 answer.mergeable_sha is not a field GitHub describes',
    ]);
    expect(checkResponse('POST', '/repos/acme/config/actions/runs/1/cancel', 200, {})).toEqual(['POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel: GitHub does not describe a 200 answer']);
  });
});

describe('pull requests', () => {
  it('getPullRequest reads head, base and author, and names no merge commit while open', async () => {
    github().get('/repos/acme/config/pulls/7').reply(200, pullRequest(7, 'open', null));
    expect(await portOf().getPullRequest(repo, 7)).toEqual({ number: 7, state: 'open', headSha: HEAD, baseSha: BASE, baseRef: 'main', author: 'alice' });
    expect(sent).toEqual([{ request: 'GET /repos/acme/config/pulls/7' }]);
  });

  it('getPullRequest names the merge commit of a merged pull request', async () => {
    github().get('/repos/acme/config/pulls/7').reply(200, pullRequest(7, 'closed', '2024-05-02T10:00:00Z'));
    expect(await portOf().getPullRequest(repo, 7)).toEqual({ number: 7, state: 'closed', headSha: HEAD, baseSha: BASE, baseRef: 'main', author: 'alice', mergeCommitSha: MERGE });
  });

  it('pullRequestsOfCommit lists the pull requests a commit belongs to', async () => {
    github().get(`/repos/acme/config/commits/${MERGE}/pulls`).reply(200, [pullRequestSimple(7, 'closed', '2024-05-02T10:00:00Z')]);
    expect(await portOf().pullRequestsOfCommit(repo, MERGE)).toEqual([{ number: 7, state: 'closed', headSha: HEAD, baseSha: BASE, baseRef: 'main', author: 'alice', mergeCommitSha: MERGE }]);
    expect(sent).toEqual([{ request: `GET /repos/acme/config/commits/${MERGE}/pulls` }]);
  });

  it('findPullRequest asks for the latest pull request from the branch, open or closed, and says whether it merged', async () => {
    github().get('/repos/acme/config/pulls').query(true).reply(200, [pullRequestSimple(9, 'closed', '2024-05-02T10:00:00Z')]);
    expect(await portOf().findPullRequest(repo, 'envsync/sync-main')).toEqual({ number: 9, state: 'closed', merged: true });
    expect(sent).toEqual([{ request: 'GET /repos/acme/config/pulls?head=acme%3Aenvsync%2Fsync-main&state=all&per_page=1' }]);
  });

  it('findPullRequest is undefined when the branch never had one', async () => {
    github().get('/repos/acme/config/pulls').query(true).reply(200, []);
    expect(await portOf().findPullRequest(repo, 'envsync/sync-main')).toBeUndefined();
  });

  it('createPullRequest opens one and returns its number', async () => {
    github().post('/repos/acme/config/pulls').reply(201, pullRequest(10, 'open', null));
    expect(await portOf().createPullRequest(repo, { head: 'envsync/sync-main', base: 'main', title: 'Sync the system', body: 'What changed' })).toBe(10);
    expect(sent).toEqual([{ request: 'POST /repos/acme/config/pulls', body: { head: 'envsync/sync-main', base: 'main', title: 'Sync the system', body: 'What changed' } }]);
  });

  it('updatePullRequest edits the title and body', async () => {
    github().patch('/repos/acme/config/pulls/10').reply(200, pullRequest(10, 'open', null));
    await portOf().updatePullRequest(repo, 10, { title: 'Sync the system (2)', body: 'More changed' });
    expect(sent).toEqual([{ request: 'PATCH /repos/acme/config/pulls/10', body: { title: 'Sync the system (2)', body: 'More changed' } }]);
  });
});

describe('check runs', () => {
  it('listCheckRuns asks for the latest of this app’s runs and leaves out other apps’ ones', async () => {
    const other = { id: 15368, slug: 'github-actions', node_id: 'MDM6QXBwMTUzNjg=', name: 'GitHub Actions' };
    github()
      .get(`/repos/acme/config/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, checkRuns(checkRun('envsync/validate', 1, { annotations: 3, text: null }), checkRun('build', 2, { app: other, conclusion: 'failure' })));
    expect(await portOf({ appId: APP_ID }).listCheckRuns(repo, HEAD)).toEqual([
      { id: 1, name: 'envsync/validate', status: 'completed', conclusion: 'success', output: { title: output.title, summary: output.summary, text: null, annotationsCount: 3 } },
    ]);
    expect(sent).toEqual([{ request: `GET /repos/acme/config/commits/${HEAD}/check-runs?per_page=100&filter=latest&app_id=${APP_ID}` }]);
  });

  it('listCheckRuns of a port that is no app lists every app’s runs', async () => {
    github().get(`/repos/acme/config/commits/${HEAD}/check-runs`).query(true).reply(200, checkRuns(checkRun('build', 2, { conclusion: 'failure' })));
    expect((await portOf().listCheckRuns(repo, HEAD)).map((c) => c.name)).toEqual(['build']);
    expect(sent).toEqual([{ request: `GET /repos/acme/config/commits/${HEAD}/check-runs?per_page=100&filter=latest` }]);
  });

  const listed = (...runs: ReturnType<typeof checkRun>[]) => github().get(`/repos/acme/config/commits/${HEAD}/check-runs`).query(true).reply(200, checkRuns(...runs));
  const LIST = { request: `GET /repos/acme/config/commits/${HEAD}/check-runs?per_page=100&filter=latest&app_id=${APP_ID}` };

  it('ensureCheckRuns creates a run GitHub does not have', async () => {
    listed();
    github().post('/repos/acme/config/check-runs').reply(201, checkRun('envsync/validate', 31));
    expect(await portOf({ appId: APP_ID }).ensureCheckRuns(repo, HEAD, [wanted])).toEqual(new Map([['envsync/validate', 31]]));
    expect(sent).toEqual([LIST, { request: 'POST /repos/acme/config/check-runs', body: { name: 'envsync/validate', head_sha: HEAD, status: 'completed', conclusion: 'success', output } }]);
  });

  it('ensureCheckRuns updates a run that says something else, without its name and head', async () => {
    listed(checkRun('envsync/validate', 31, { conclusion: 'failure' }));
    github().patch('/repos/acme/config/check-runs/31').reply(200, checkRun('envsync/validate', 31));
    expect(await portOf({ appId: APP_ID }).ensureCheckRuns(repo, HEAD, [wanted])).toEqual(new Map([['envsync/validate', 31]]));
    expect(sent).toEqual([LIST, { request: 'PATCH /repos/acme/config/check-runs/31', body: { status: 'completed', conclusion: 'success', output } }]);
  });

  it('ensureCheckRuns leaves alone a run that says the same', async () => {
    listed(checkRun('envsync/validate', 31));
    expect(await portOf({ appId: APP_ID }).ensureCheckRuns(repo, HEAD, [wanted])).toEqual(new Map([['envsync/validate', 31]]));
    expect(sent).toEqual([LIST]);
  });

  it('ensureCheckRuns sends annotations 50 a request: the first 50 with the run, the rest appended', async () => {
    const annotations = Array.from({ length: 120 }, (_, i) => annotation(i + 1));
    listed();
    github().post('/repos/acme/config/check-runs').reply(201, checkRun('envsync/validate', 31)).patch('/repos/acme/config/check-runs/31').times(2).reply(200, checkRun('envsync/validate', 31));
    await portOf({ appId: APP_ID }).ensureCheckRuns(repo, HEAD, [{ ...wanted, output: { ...output, annotations } }]);
    expect(sent.map((s) => [s.request, (s.body as { output?: { annotations?: Annotation[] } } | undefined)?.output?.annotations?.map((a) => a.start_line)])).toEqual([
      [LIST.request, undefined],
      ['POST /repos/acme/config/check-runs', annotations.slice(0, 50).map((a) => a.start_line)],
      ['PATCH /repos/acme/config/check-runs/31', annotations.slice(50, 100).map((a) => a.start_line)],
      ['PATCH /repos/acme/config/check-runs/31', annotations.slice(100).map((a) => a.start_line)],
    ]);
    expect(sent[2]!.body).toEqual({ output: { ...output, annotations: annotations.slice(50, 100) } });
  });

  it('ensureCheckRuns resumes an equal run where GitHub’s annotations stop, sending only the rest', async () => {
    const annotations = Array.from({ length: 60 }, (_, i) => annotation(i + 1));
    listed(checkRun('envsync/validate', 31, { annotations: 50 }));
    github().patch('/repos/acme/config/check-runs/31').reply(200, checkRun('envsync/validate', 31, { annotations: 60 }));
    await portOf({ appId: APP_ID }).ensureCheckRuns(repo, HEAD, [{ ...wanted, output: { ...output, annotations } }]);
    expect(sent).toEqual([LIST, { request: 'PATCH /repos/acme/config/check-runs/31', body: { output: { ...output, annotations: annotations.slice(50) } } }]);
  });

  it('ensureCheckRuns creates, updates and leaves alone several runs after one read', async () => {
    const plan: CheckRun = { name: 'envsync/plan', headSha: HEAD, status: 'in_progress', output: { title: 'Planning', summary: 'Planning the change' } };
    const gate: CheckRun = { name: 'envsync/approval: payments/prod', headSha: HEAD, status: 'queued', output: { title: 'Waiting for approval', summary: 'Comment /approve' } };
    listed(checkRun('envsync/validate', 31), checkRun('envsync/plan', 32, { conclusion: 'failure' }));
    github().patch('/repos/acme/config/check-runs/32').reply(200, checkRun('envsync/plan', 32)).post('/repos/acme/config/check-runs').reply(201, checkRun(gate.name, 33));
    expect(await portOf({ appId: APP_ID }).ensureCheckRuns(repo, HEAD, [wanted, plan, gate])).toEqual(new Map([['envsync/validate', 31], ['envsync/plan', 32], [gate.name, 33]]));
    expect(sent).toEqual([
      LIST,
      { request: 'PATCH /repos/acme/config/check-runs/32', body: { status: 'in_progress', output: plan.output } },
      { request: 'POST /repos/acme/config/check-runs', body: { name: gate.name, head_sha: HEAD, status: 'queued', output: gate.output } },
    ]);
  });

  it('updateCheckRun sends only the fields given', async () => {
    github().patch('/repos/acme/config/check-runs/33').reply(200, checkRun('envsync/approval: payments/prod', 33));
    await portOf().updateCheckRun(repo, 33, { status: 'completed', conclusion: 'success', output: { title: 'Approved', summary: 'Approved by @bob' } });
    expect(sent).toEqual([{ request: 'PATCH /repos/acme/config/check-runs/33', body: { status: 'completed', conclusion: 'success', output: { title: 'Approved', summary: 'Approved by @bob' } } }]);
  });

  it('updateCheckRun sends no head_sha, which "Update a check run" does not take (a run stays on its commit)', async () => {
    github().patch('/repos/acme/config/check-runs/31').reply(200, checkRun('envsync/validate', 31));
    await portOf().updateCheckRun(repo, 31, wanted);
    expect(sent).toEqual([{ request: 'PATCH /repos/acme/config/check-runs/31', body: { name: 'envsync/validate', status: 'completed', conclusion: 'success', output } }]);
  });
});

describe('comments', () => {
  const MARKER = '<!-- envsync:plan -->';
  const COMMENTS = '/repos/acme/config/issues/7/comments';

  it('ensureComment creates the comment when only others’ comments hold the marker', async () => {
    const otherApp = { id: 1, slug: 'other', name: 'Other' };
    github()
      .get(COMMENTS)
      .query(true)
      .reply(200, [issueComment(1, `${MARKER} quoted`, { user: account('alice') }), issueComment(2, `${MARKER} theirs`, { app: otherApp })])
      .post(COMMENTS)
      .reply(201, issueComment(3, `${MARKER} plan`));
    expect(await portOf({ appId: APP_ID }).ensureComment(repo, 7, MARKER, `${MARKER} plan`)).toEqual({ id: 3, outcome: 'created' });
    expect(sent).toEqual([{ request: `GET ${COMMENTS}?per_page=100` }, { request: `POST ${COMMENTS}`, body: { body: `${MARKER} plan` } }]);
  });

  it('ensureComment edits this app’s comment that says something else, with a body made from it', async () => {
    github().get(COMMENTS).query(true).reply(200, [issueComment(3, `${MARKER} old`)]).patch('/repos/acme/config/issues/comments/3').reply(200, issueComment(3, `${MARKER} old, new`));
    expect(await portOf({ appId: APP_ID }).ensureComment(repo, 7, MARKER, (previous) => `${previous ?? ''}, new`, { since: '2024-05-01T09:00:00Z' })).toEqual({ id: 3, outcome: 'updated' });
    expect(sent).toEqual([
      { request: `GET ${COMMENTS}?per_page=100&since=2024-05-01T09%3A00%3A00Z` },
      { request: 'PATCH /repos/acme/config/issues/comments/3', body: { body: `${MARKER} old, new` } },
    ]);
  });

  it('ensureComment leaves alone a comment that says the same', async () => {
    github().get(COMMENTS).query(true).reply(200, [issueComment(3, `${MARKER} plan`)]);
    expect(await portOf({ appId: APP_ID }).ensureComment(repo, 7, MARKER, `${MARKER} plan`)).toEqual({ id: 3, outcome: 'unchanged' });
    expect(sent).toHaveLength(1);
  });

  it('findComment reads one page of 100 and follows no Link to the next', async () => {
    github()
      .get(COMMENTS)
      .query(true)
      .reply(200, [issueComment(3, `${MARKER} plan`)], { link: `<${API}/repositories/1/issues/7/comments?per_page=100&page=2>; rel="next"` });
    expect(await portOf().findComment(repo, 7, MARKER)).toEqual({ id: 3, body: `${MARKER} plan` });
    expect(sent).toEqual([{ request: `GET ${COMMENTS}?per_page=100` }]);
  });

  it('findComment is undefined when no bot comment holds the marker', async () => {
    github().get(COMMENTS).query(true).reply(200, [issueComment(1, 'looks good', { user: account('alice'), app: null })]);
    expect(await portOf().findComment(repo, 7, MARKER)).toBeUndefined();
  });

  const COMMIT_COMMENTS = `/repos/acme/config/commits/${HEAD}/comments`;

  it('ensureCommitComment creates the commit’s comment when there is none', async () => {
    github().get(COMMIT_COMMENTS).query(true).reply(200, []).post(COMMIT_COMMENTS).reply(201, commitComment(5, `${MARKER} run`));
    expect(await portOf().ensureCommitComment(repo, HEAD, MARKER, `${MARKER} run`)).toEqual({ id: 5, outcome: 'created' });
    expect(sent).toEqual([{ request: `GET ${COMMIT_COMMENTS}?per_page=100` }, { request: `POST ${COMMIT_COMMENTS}`, body: { body: `${MARKER} run` } }]);
  });

  it('ensureCommitComment edits the comment that says something else', async () => {
    github().get(COMMIT_COMMENTS).query(true).reply(200, [commitComment(5, `${MARKER} old`)]).patch('/repos/acme/config/comments/5').reply(200, commitComment(5, `${MARKER} run`));
    expect(await portOf().ensureCommitComment(repo, HEAD, MARKER, `${MARKER} run`)).toEqual({ id: 5, outcome: 'updated' });
    expect(sent).toEqual([{ request: `GET ${COMMIT_COMMENTS}?per_page=100` }, { request: 'PATCH /repos/acme/config/comments/5', body: { body: `${MARKER} run` } }]);
  });

  it('ensureCommitComment leaves alone the comment that says the same', async () => {
    github().get(COMMIT_COMMENTS).query(true).reply(200, [commitComment(5, `${MARKER} run`)]);
    expect(await portOf().ensureCommitComment(repo, HEAD, MARKER, `${MARKER} run`)).toEqual({ id: 5, outcome: 'unchanged' });
    expect(sent).toHaveLength(1);
  });

  it('addReaction reacts to a comment', async () => {
    github()
      .post('/repos/acme/config/issues/comments/99/reactions')
      .reply(201, { id: 1, node_id: 'REA_lADOABCD', user: account('envsync[bot]', 'Bot', 41898282), content: 'eyes', created_at: '2024-05-01T09:00:00Z' });
    await portOf().addReaction(repo, 99, 'eyes');
    expect(sent).toEqual([{ request: 'POST /repos/acme/config/issues/comments/99/reactions', body: { content: 'eyes' } }]);
  });
});

describe('permissions', () => {
  const PERMISSION = '/repos/acme/config/collaborators/bob/permission';

  it('permissionOf says maintain and triage, which GitHub’s permission folds into write and read', async () => {
    github().get(PERMISSION).reply(200, { permission: 'write', role_name: 'maintain', user: account('bob') });
    expect(await portOf().permissionOf(repo, 'bob')).toBe('maintain');
    expect(sent).toEqual([{ request: `GET ${PERMISSION}` }]);
  });

  it('permissionOf falls back on the permission for a custom role', async () => {
    github().get(PERMISSION).reply(200, { permission: 'read', role_name: 'auditor', user: account('bob') });
    expect(await portOf().permissionOf(repo, 'bob')).toBe('read');
  });

  it('permissionOf is none for someone GitHub does not know here (404), and fails on another error', async () => {
    github().get(PERMISSION).reply(404, notFound).get(PERMISSION).reply(500, serverError);
    expect(await portOf().permissionOf(repo, 'bob')).toBe('none');
    await expect(portOf().permissionOf(repo, 'bob')).rejects.toMatchObject({ status: 500 });
  });

  const MEMBERSHIP = '/orgs/acme/teams/platform/memberships/bob';

  it('isTeamMember is true for an active membership only', async () => {
    github().get(MEMBERSHIP).reply(200, { url: `${API}/teams/1/memberships/bob`, role: 'member', state: 'active' }).get(MEMBERSHIP).reply(200, { url: `${API}/teams/1/memberships/bob`, role: 'member', state: 'pending' });
    expect(await portOf().isTeamMember('acme', 'platform', 'bob')).toBe(true);
    expect(await portOf().isTeamMember('acme', 'platform', 'bob')).toBe(false);
    expect(sent).toEqual([{ request: `GET ${MEMBERSHIP}` }, { request: `GET ${MEMBERSHIP}` }]);
  });

  it('isTeamMember is false on 404 (no member, or no such team), and fails on another error', async () => {
    github().get(MEMBERSHIP).reply(404, notFound).get(MEMBERSHIP).reply(403, { message: 'Resource not accessible by integration', status: '403' });
    expect(await portOf().isTeamMember('acme', 'platform', 'bob')).toBe(false);
    await expect(portOf().isTeamMember('acme', 'platform', 'bob')).rejects.toMatchObject({ status: 403 });
  });
});

describe('files and revisions', () => {
  const SYSTEM = '/repos/acme/config/contents/envsync%2Fsystem.yaml';

  it('getFile reads a file’s raw text at a ref', async () => {
    github().get(SYSTEM).query(true).matchHeader('accept', 'application/vnd.github.raw+json').reply(200, 'name: acme\n', { 'content-type': 'application/vnd.github.raw+json; charset=utf-8' });
    expect(await portOf().getFile(repo, 'envsync/system.yaml', 'main')).toBe('name: acme\n');
    expect(sent).toEqual([{ request: `GET ${SYSTEM}?ref=main` }]);
  });

  it('getFile without a ref reads the default branch, and is undefined for a missing file', async () => {
    github().get(SYSTEM).reply(404, notFound);
    expect(await portOf().getFile(repo, 'envsync/system.yaml')).toBeUndefined();
    expect(sent).toEqual([{ request: `GET ${SYSTEM}` }]);
  });

  it('getFile fails on an error other than 404', async () => {
    github().get(SYSTEM).reply(403, { message: 'Resource not accessible by integration', status: '403' });
    await expect(portOf().getFile(repo, 'envsync/system.yaml')).rejects.toMatchObject({ status: 403 });
  });

  it('getTarball follows GitHub’s redirect to the archive', async () => {
    const archive = Buffer.from([0x1f, 0x8b, 0x08, 0x00]);
    github().get(`/repos/acme/config/tarball/${HEAD}`).reply(302, '', { location: `https://codeload.github.com/acme/config/legacy.tar.gz/${HEAD}` });
    nock('https://codeload.github.com').get(`/acme/config/legacy.tar.gz/${HEAD}`).reply(200, archive, { 'content-type': 'application/x-gzip' });
    expect(Buffer.from(await portOf().getTarball(repo, HEAD))).toEqual(archive);
    expect(sent).toEqual([{ request: `GET /repos/acme/config/tarball/${HEAD}` }]);
  });

  it('getBranch reads the head commit and its tree, and is undefined for a missing branch', async () => {
    github()
      .get('/repos/acme/config/branches/main')
      .reply(200, { name: 'main', commit: commitOf(HEAD, [BASE], 'alice'), protected: true, protection_url: `${API}/repos/acme/config/branches/main/protection` })
      .get('/repos/acme/config/branches/gone')
      .reply(404, { message: 'Branch not found', documentation_url: 'https://docs.github.com/rest/branches/branches#get-a-branch', status: '404' });
    expect(await portOf().getBranch(repo, 'main')).toEqual({ sha: HEAD, treeSha: TREE });
    expect(await portOf().getBranch(repo, 'gone')).toBeUndefined();
    expect(sent).toEqual([{ request: 'GET /repos/acme/config/branches/main' }, { request: 'GET /repos/acme/config/branches/gone' }]);
  });

  it('getBranch fails on an error other than 404', async () => {
    github().get('/repos/acme/config/branches/main').reply(500, serverError);
    await expect(portOf().getBranch(repo, 'main')).rejects.toMatchObject({ status: 500 });
  });

  const COMPARE = `/repos/acme/config/compare/${BASE}...${HEAD}`;

  it('compareCommits says how two commits relate, with the commits and their parents', async () => {
    github().get(COMPARE).reply(200, comparison([commitOf(MERGE, [BASE], 'alice'), commitOf(HEAD, [MERGE], 'bob')]));
    expect(await portOf().compareCommits(repo, BASE, HEAD)).toEqual({ status: 'ahead', commits: [{ sha: MERGE, parents: [BASE] }, { sha: HEAD, parents: [MERGE] }] });
    expect(sent).toEqual([{ request: `GET ${COMPARE}` }]);
  });

  it('commitsBetween names the authors of the commits of head that base lacks', async () => {
    github().get(COMPARE).reply(200, comparison([commitOf(MERGE, [BASE], 'alice'), commitOf(HEAD, [MERGE], 'bob')]));
    expect(await portOf().commitsBetween(repo, BASE, HEAD)).toEqual([
      { sha: MERGE, author: { name: 'alice', email: 'alice@example.com' } },
      { sha: HEAD, author: { name: 'bob', email: 'bob@example.com' } },
    ]);
    expect(sent).toEqual([{ request: `GET ${COMPARE}` }]);
  });

  it('changedFiles lists the files changed since the merge base, one commit a page', async () => {
    github()
      .get(COMPARE)
      .query({ per_page: 1 })
      .reply(200, comparison([commitOf(HEAD, [BASE], 'bob')], [{ filename: 'a.yaml', status: 'modified' }, { filename: 'c.yaml', status: 'renamed', previous_filename: 'b.yaml' }]));
    expect(await portOf().changedFiles(repo, BASE, HEAD)).toEqual({
      status: 'ahead',
      mergeBase: BASE,
      files: [{ path: 'a.yaml', status: 'modified' }, { path: 'c.yaml', status: 'renamed', previousPath: 'b.yaml' }],
    });
    expect(sent).toEqual([{ request: `GET ${COMPARE}?per_page=1` }]);
  });

  it('changedFiles gives no list when GitHub lists its most (300) files, or none', async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ filename: `f${i}.yaml`, status: 'added' }));
    github().get(COMPARE).query(true).reply(200, comparison([], many)).get(COMPARE).query(true).reply(200, comparison([]));
    expect(await portOf().changedFiles(repo, BASE, HEAD)).toEqual({ status: 'ahead', mergeBase: BASE, files: undefined });
    expect(await portOf().changedFiles(repo, BASE, HEAD)).toEqual({ status: 'ahead', mergeBase: BASE, files: undefined });
  });

  const ENTRY = '/repos/acme/config/contents/projects%2Fpayments%2Fspec.yaml';
  const entryPath = 'projects/payments/spec.yaml';

  it('getEntry reads a file with its content', async () => {
    github().get(ENTRY).query({ ref: HEAD }).reply(200, fileEntry(entryPath, 'kind: Project\n'));
    expect(await portOf().getEntry(repo, entryPath, HEAD, 1000)).toEqual({ type: 'file', size: 14, blob: TREE, content: Buffer.from('kind: Project\n') });
    expect(sent).toEqual([{ request: `GET ${ENTRY}?ref=${HEAD}` }]);
  });

  it('getEntry gives a file past maxBytes without its content, and reads no blob', async () => {
    github().get(ENTRY).query(true).reply(200, fileEntry(entryPath, 'kind: Project\n', { size: 5_000_000, withContent: false }));
    expect(await portOf().getEntry(repo, entryPath, HEAD, 1_000_000)).toEqual({ type: 'file', size: 5_000_000, blob: TREE, content: undefined });
    expect(sent).toHaveLength(1);
  });

  it('getEntry reads the blob of a file GitHub sends without content (over 1 MB)', async () => {
    const text = 'x'.repeat(1_100_000);
    github()
      .get(ENTRY)
      .query(true)
      .reply(200, fileEntry(entryPath, text, { withContent: false }))
      .get(`/repos/acme/config/git/blobs/${TREE}`)
      .reply(200, { sha: TREE, node_id: 'B_kwDOABCD', size: text.length, url: `${API}/repos/acme/config/git/blobs/${TREE}`, content: Buffer.from(text).toString('base64'), encoding: 'base64' });
    const entry = await portOf().getEntry(repo, entryPath, HEAD, 2_000_000);
    // The content compared as text: toEqual on a megabyte's Buffer compares it byte by byte, for seconds.
    expect(entry && entry.type === 'file' && { ...entry, content: entry.content && Buffer.from(entry.content).toString() }).toEqual({ type: 'file', size: text.length, blob: TREE, content: text });
    expect(sent).toEqual([{ request: `GET ${ENTRY}?ref=${HEAD}` }, { request: `GET /repos/acme/config/git/blobs/${TREE}` }]);
  });

  it('getEntry gives a link’s target, and never follows it', async () => {
    github().get(ENTRY).query(true).reply(200, { type: 'symlink', target: '../shared/spec.yaml', size: 19, name: 'spec.yaml', path: entryPath, sha: TREE, ...contentLinks(entryPath) });
    expect(await portOf().getEntry(repo, entryPath, HEAD, 1000)).toEqual({ type: 'link', target: '../shared/spec.yaml' });
    expect(sent).toHaveLength(1);
  });

  it('getEntry tells a link GitHub resolved to a file of the repository by the path it answers with', async () => {
    github().get(ENTRY).query(true).reply(200, fileEntry('shared/spec.yaml', 'kind: Project\n'));
    expect(await portOf().getEntry(repo, entryPath, HEAD, 1000)).toEqual({ type: 'link', target: undefined });
  });

  it('getEntry is undefined for a folder, a submodule and a missing path, and fails on another error', async () => {
    github()
      .get(ENTRY)
      .query(true)
      .reply(200, [{ type: 'file', size: 13, name: 'a.yaml', path: `${entryPath}/a.yaml`, sha: TREE, ...contentLinks(`${entryPath}/a.yaml`) }])
      .get(ENTRY)
      .query(true)
      .reply(200, { type: 'submodule', submodule_git_url: 'git://github.com/acme/shared.git', size: 0, name: 'spec.yaml', path: entryPath, sha: TREE, ...contentLinks(entryPath) })
      .get(ENTRY)
      .query(true)
      .reply(404, notFound)
      .get(ENTRY)
      .query(true)
      .reply(500, serverError);
    const port = portOf();
    expect(await port.getEntry(repo, entryPath, HEAD, 1000)).toBeUndefined();
    expect(await port.getEntry(repo, entryPath, HEAD, 1000)).toBeUndefined();
    expect(await port.getEntry(repo, entryPath, HEAD, 1000)).toBeUndefined();
    await expect(port.getEntry(repo, entryPath, HEAD, 1000)).rejects.toMatchObject({ status: 500 });
    expect(sent).toHaveLength(4);
  });
});

describe('commits and branches', () => {
  it('commitFiles writes one tree (a deletion is a null sha) and one commit with no author', async () => {
    github()
      .post('/repos/acme/config/git/trees')
      .reply(201, { sha: 'cd8274d15fa3ae2ab983129fb037999f264ba9a7', url: `${API}/repos/acme/config/git/trees/cd8274d15fa3ae2ab983129fb037999f264ba9a7`, truncated: false, tree: [] })
      .post('/repos/acme/config/git/commits')
      .reply(201, {
        sha: '7638417db6d59f3c431d3e1f261cc637155684cd',
        node_id: 'C_kwDOABCD',
        url: `${API}/repos/acme/config/git/commits/7638417db6d59f3c431d3e1f261cc637155684cd`,
        html_url: 'https://github.com/acme/config/commit/7638417db6d59f3c431d3e1f261cc637155684cd',
        message: 'Sync the system',
        tree: { sha: 'cd8274d15fa3ae2ab983129fb037999f264ba9a7', url: `${API}/repos/acme/config/git/trees/cd8274d15fa3ae2ab983129fb037999f264ba9a7` },
        parents: [{ sha: HEAD, url: `${API}/repos/acme/config/git/commits/${HEAD}`, html_url: `https://github.com/acme/config/commit/${HEAD}` }],
        verification: { verified: true, reason: 'valid', signature: null, payload: null, verified_at: '2024-05-01T09:00:00Z' },
      });
    const files = [
      { path: 'a.yaml', content: 'name: a\n' },
      { path: 'b.yaml', content: null },
    ];
    expect(await portOf().commitFiles(repo, { parent: HEAD, baseTree: TREE, files, message: 'Sync the system' })).toBe('7638417db6d59f3c431d3e1f261cc637155684cd');
    expect(sent).toEqual([
      {
        request: 'POST /repos/acme/config/git/trees',
        body: {
          base_tree: TREE,
          tree: [
            { path: 'a.yaml', mode: '100644', type: 'blob', content: 'name: a\n' },
            { path: 'b.yaml', mode: '100644', type: 'blob', sha: null },
          ],
        },
      },
      { request: 'POST /repos/acme/config/git/commits', body: { message: 'Sync the system', tree: 'cd8274d15fa3ae2ab983129fb037999f264ba9a7', parents: [HEAD] } },
    ]);
  });

  const gitRef = (ref: string) => ({ ref, node_id: 'REF_kwDOABCD', url: `${API}/repos/acme/config/git/${ref}`, object: { type: 'commit', sha: HEAD, url: `${API}/repos/acme/config/git/commits/${HEAD}` } });

  it('setBranch creates a branch', async () => {
    github().post('/repos/acme/config/git/refs').reply(201, gitRef('refs/heads/envsync/sync-main'));
    await portOf().setBranch(repo, 'envsync/sync-main', HEAD, { create: true, force: false });
    expect(sent).toEqual([{ request: 'POST /repos/acme/config/git/refs', body: { ref: 'refs/heads/envsync/sync-main', sha: HEAD } }]);
  });

  it('setBranch moves a branch, forced or fast-forward only', async () => {
    const REF = '/repos/acme/config/git/refs/heads%2Fenvsync%2Fsync-main';
    github().patch(REF).times(2).reply(200, gitRef('refs/heads/envsync/sync-main'));
    await portOf().setBranch(repo, 'envsync/sync-main', HEAD, { create: false, force: true });
    await portOf().setBranch(repo, 'envsync/sync-main', HEAD, { create: false, force: false });
    expect(sent).toEqual([
      { request: `PATCH ${REF}`, body: { sha: HEAD, force: true } },
      { request: `PATCH ${REF}`, body: { sha: HEAD, force: false } },
    ]);
  });

  it('commitIdentity is the identity the port is given, without a request', async () => {
    const bot = noreplyAuthor('envsync[bot]', 41898282);
    expect(await portOf({ identity: async () => bot }).commitIdentity()).toEqual(bot);
    expect(sent).toEqual([]);
  });

  it('commitIdentity is the token’s user, at their noreply address', async () => {
    github().get('/user').reply(200, { ...account('alice'), name: 'Alice', user_view_type: 'private', created_at: '2020-01-01T00:00:00Z' });
    expect(await portOf().commitIdentity()).toEqual({ name: 'alice', email: '583231+alice@users.noreply.github.com' });
    expect(sent).toEqual([{ request: 'GET /user' }]);
  });

  it('commitIdentity is github-actions[bot] for an installation token (403 on /user), and fails on another error', async () => {
    github()
      .get('/user')
      .reply(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user', status: '403' })
      .get('/user')
      .reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    expect(await portOf().commitIdentity()).toEqual({ name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' });
    await expect(portOf().commitIdentity()).rejects.toMatchObject({ status: 401 });
  });

  it('webUrl is under github.com, or the web root given (a GitHub Enterprise Server), without a request', () => {
    expect(portOf().webUrl('/acme/config/actions/runs/5')).toBe('https://github.com/acme/config/actions/runs/5');
    expect(portOf({ webRoot: 'https://ghe.example.com/' }).webUrl('acme/config/actions')).toBe('https://ghe.example.com/acme/config/actions');
    expect(sent).toEqual([]);
  });
});

describe('workflow runs', () => {
  const RUNS = '/repos/acme/config/actions/workflows/envsync.yml/runs';

  it('dispatchWorkflow starts the workflow on a ref with string inputs', async () => {
    github().post('/repos/acme/config/actions/workflows/envsync.yml/dispatches').reply(204);
    await portOf().dispatchWorkflow(repo, 'envsync.yml', 'main', { run: '41', environment: 'payments/prod' });
    expect(sent).toEqual([{ request: 'POST /repos/acme/config/actions/workflows/envsync.yml/dispatches', body: { ref: 'main', inputs: { run: '41', environment: 'payments/prod' } } }]);
  });

  it('findWorkflowRun finds the dispatched run whose name ends with the suffix', async () => {
    github()
      .get(RUNS)
      .query(true)
      .reply(200, { total_count: 2, workflow_runs: [workflowRun(5, 'envsync · run 40'), workflowRun(6, 'envsync · run 41')] });
    expect(await portOf().findWorkflowRun(repo, 'envsync.yml', 'run 41', '2024-05-01T09:00:00Z')).toEqual({
      id: 6,
      status: 'in_progress',
      conclusion: null,
      displayTitle: 'envsync · run 41',
      htmlUrl: 'https://github.com/acme/config/actions/runs/6',
      headSha: HEAD,
    });
    expect(sent).toEqual([{ request: `GET ${RUNS}?event=workflow_dispatch&created=%3E%3D2024-05-01T09%3A00%3A00Z&per_page=100` }]);
  });

  it('findWorkflowRun is undefined when no run has the suffix', async () => {
    github().get(RUNS).query(true).reply(200, { total_count: 1, workflow_runs: [workflowRun(5, 'envsync · run 40')] });
    expect(await portOf().findWorkflowRun(repo, 'envsync.yml', 'run 41', '2024-05-01T09:00:00Z')).toBeUndefined();
  });

  it('getWorkflowRun reads a run as GitHub has it now', async () => {
    github().get('/repos/acme/config/actions/runs/6').reply(200, workflowRun(6, 'envsync · run 41', 'completed', 'success'));
    expect(await portOf().getWorkflowRun(repo, 6)).toEqual({ id: 6, status: 'completed', conclusion: 'success', displayTitle: 'envsync · run 41', htmlUrl: 'https://github.com/acme/config/actions/runs/6', headSha: HEAD });
    expect(sent).toEqual([{ request: 'GET /repos/acme/config/actions/runs/6' }]);
  });

  it('getWorkflowRun is undefined for a run GitHub knows no more (404), and fails on another error', async () => {
    github().get('/repos/acme/config/actions/runs/6').reply(404, notFound).get('/repos/acme/config/actions/runs/6').reply(500, serverError);
    expect(await portOf().getWorkflowRun(repo, 6)).toBeUndefined();
    await expect(portOf().getWorkflowRun(repo, 6)).rejects.toMatchObject({ status: 500 });
  });

  it('cancelWorkflowRun cancels a run, and takes a finished one (409) as cancelled', async () => {
    github()
      .post('/repos/acme/config/actions/runs/6/cancel')
      .reply(202, {})
      .post('/repos/acme/config/actions/runs/6/cancel')
      .reply(409, { message: 'Cannot cancel a workflow run that is completed.', documentation_url: 'https://docs.github.com/rest/actions/workflow-runs#cancel-a-workflow-run', status: '409' });
    await portOf().cancelWorkflowRun(repo, 6);
    await portOf().cancelWorkflowRun(repo, 6);
    expect(sent).toEqual([{ request: 'POST /repos/acme/config/actions/runs/6/cancel' }, { request: 'POST /repos/acme/config/actions/runs/6/cancel' }]);
  });

  it('cancelWorkflowRun fails on another error', async () => {
    github().post('/repos/acme/config/actions/runs/6/cancel').reply(403, { message: 'Resource not accessible by integration', status: '403' });
    await expect(portOf().cancelWorkflowRun(repo, 6)).rejects.toMatchObject({ status: 403 });
  });

  it('listRunArtifacts lists a run’s artifacts', async () => {
    const artifact = (id: number, name: string, expired: boolean) => ({
      id,
      node_id: 'MDg6QXJ0aWZhY3Q=',
      name,
      size_in_bytes: 556,
      url: `${API}/repos/acme/config/actions/artifacts/${id}`,
      archive_download_url: `${API}/repos/acme/config/actions/artifacts/${id}/zip`,
      expired,
      created_at: '2024-05-01T09:00:00Z',
      expires_at: '2024-05-31T09:00:00Z',
    });
    github().get('/repos/acme/config/actions/runs/6/artifacts').query(true).reply(200, { total_count: 2, artifacts: [artifact(11, 'envsync-results', false), artifact(12, 'old', true)] });
    expect(await portOf().listRunArtifacts(repo, 6)).toEqual([
      { id: 11, name: 'envsync-results', expired: false },
      { id: 12, name: 'old', expired: true },
    ]);
    expect(sent).toEqual([{ request: 'GET /repos/acme/config/actions/runs/6/artifacts?per_page=100' }]);
  });

  it('downloadArtifact follows GitHub’s redirect to the zip in blob storage', async () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
    github().get('/repos/acme/config/actions/artifacts/11/zip').reply(302, '', { location: 'https://productionresultssa0.blob.core.windows.net/actions-results/11.zip?sig=abc' });
    nock('https://productionresultssa0.blob.core.windows.net').get('/actions-results/11.zip').query({ sig: 'abc' }).reply(200, zip, { 'content-type': 'application/zip' });
    expect(Buffer.from(await portOf().downloadArtifact(repo, 11))).toEqual(zip);
    expect(sent).toEqual([{ request: 'GET /repos/acme/config/actions/artifacts/11/zip' }]);
  });
});

describe('deployments', () => {
  const DEPLOYMENTS = '/repos/acme/config/deployments';
  const wantedDeployment = { ref: HEAD, environment: 'payments/prod', description: 'envsync run 41', payload: { runId: '41' } };
  const LIST = { request: `GET ${DEPLOYMENTS}?sha=${HEAD}&environment=payments%2Fprod&per_page=100` };

  it('ensureDeployment finds the deployment whose payload names the run, as an object or as JSON text', async () => {
    github().get(DEPLOYMENTS).query(true).reply(200, [deployment(76, { runId: '40' }), deployment(77, { runId: '41' })]).get(DEPLOYMENTS).query(true).reply(200, [deployment(78, '{"runId":"41"}')]);
    expect(await portOf().ensureDeployment(repo, wantedDeployment)).toBe(77);
    expect(await portOf().ensureDeployment(repo, wantedDeployment)).toBe(78);
    expect(sent).toEqual([LIST, LIST]);
  });

  it('ensureDeployment creates one with no required contexts and no auto-merge when none names the run', async () => {
    github().get(DEPLOYMENTS).query(true).reply(200, [deployment(76, '')]).post(DEPLOYMENTS).reply(201, deployment(79, { runId: '41' }));
    expect(await portOf().ensureDeployment(repo, wantedDeployment)).toBe(79);
    expect(sent).toEqual([LIST, { request: `POST ${DEPLOYMENTS}`, body: { ...wantedDeployment, auto_merge: false, required_contexts: [] } }]);
  });

  const STATUSES = `${DEPLOYMENTS}/77/statuses`;

  it('ensureDeploymentStatus adds nothing when the latest status says the same', async () => {
    github().get(STATUSES).query(true).reply(200, [deploymentStatus('in_progress', 'Running')]);
    await portOf().ensureDeploymentStatus(repo, 77, { state: 'in_progress', description: 'Running' });
    expect(sent).toEqual([{ request: `GET ${STATUSES}?per_page=1` }]);
  });

  it('ensureDeploymentStatus adds a status that differs, its description cut to GitHub’s 140 characters', async () => {
    const long = 'd'.repeat(200);
    github().get(STATUSES).query(true).reply(200, [deploymentStatus('in_progress', 'Running')]).post(STATUSES).reply(201, deploymentStatus('success', long.slice(0, 140)));
    await portOf().ensureDeploymentStatus(repo, 77, { state: 'success', description: long, logUrl: 'https://github.com/acme/config/actions/runs/6' });
    expect(sent).toEqual([
      { request: `GET ${STATUSES}?per_page=1` },
      { request: `POST ${STATUSES}`, body: { state: 'success', description: long.slice(0, 140), log_url: 'https://github.com/acme/config/actions/runs/6' } },
    ]);
  });

  it('ensureDeploymentStatus adds the first status of a deployment', async () => {
    github().get(STATUSES).query(true).reply(200, []).post(STATUSES).reply(201, deploymentStatus('queued', 'Waiting'));
    await portOf().ensureDeploymentStatus(repo, 77, { state: 'queued', description: 'Waiting' });
    expect(sent).toEqual([{ request: `GET ${STATUSES}?per_page=1` }, { request: `POST ${STATUSES}`, body: { state: 'queued', description: 'Waiting' } }]);
  });
});

it('tells observe the route, status and rate limit left of every request, failed ones too', async () => {
  const seen: unknown[] = [];
  github().get('/repos/acme/config/branches/main').reply(200, { name: 'main', commit: commitOf(HEAD, [], 'alice') }, { 'x-ratelimit-remaining': '4999' }).get('/repos/acme/config/branches/gone').reply(404, notFound);
  const port = portOf({ observe: (r) => seen.push(r) });
  await port.getBranch(repo, 'main');
  await port.getBranch(repo, 'gone');
  expect(seen).toEqual([
    { route: 'GET /repos/{owner}/{repo}/branches/{branch}', status: 200, rateLimitRemaining: 4999 },
    { route: 'GET /repos/{owner}/{repo}/branches/{branch}', status: 404 },
  ]);
});

/** Every operation of the port, by name: a new one fails to compile here until it is listed (and tested). */
const OPERATIONS: Record<keyof GitHubPort, true> = {
  getPullRequest: true,
  ensureCheckRuns: true,
  updateCheckRun: true,
  listCheckRuns: true,
  ensureComment: true,
  ensureCommitComment: true,
  findComment: true,
  addReaction: true,
  permissionOf: true,
  isTeamMember: true,
  getFile: true,
  getTarball: true,
  getBranch: true,
  compareCommits: true,
  changedFiles: true,
  getEntry: true,
  commitsBetween: true,
  commitFiles: true,
  webUrl: true,
  commitIdentity: true,
  setBranch: true,
  findPullRequest: true,
  createPullRequest: true,
  updatePullRequest: true,
  pullRequestsOfCommit: true,
  dispatchWorkflow: true,
  findWorkflowRun: true,
  getWorkflowRun: true,
  cancelWorkflowRun: true,
  ensureDeployment: true,
  ensureDeploymentStatus: true,
  listRunArtifacts: true,
  downloadArtifact: true,
};

// Last in the file (vitest runs a file's tests in order): when run with the others, it proves they called every operation.
it('has called every operation of the port', () => {
  expect(Object.keys(OPERATIONS).filter((name) => !called.has(name))).toEqual([]);
});
