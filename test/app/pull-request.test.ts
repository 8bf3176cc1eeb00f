// The app on pull requests, over nock with the real payload shapes: checks with annotations, the plan
// comment updated in place, approval gates, commands and who may use them; every body sent asserted.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvsyncApp } from '../../src/app/index.js';
import { SystemService } from '../../src/system/service.js';
import { PLAN_MARKER } from '../../src/render/plan-markdown.js';
import type { QueueSettings } from '../../src/system/jobs/queue.js';
import { openStore, type Store } from '../../src/system/store.js';
import { exampleFiles, scenarioFiles } from '../golden/scenarios.js';
import { commentCreated, pullRequestOpened, tarballOf } from '../helpers/github-fixtures.js';
import { testProbot } from '../helpers/probot.js';
import { packageVersion } from '../../src/version.js';
import { sources } from '../helpers/repo.js';

/** A configuration of defaults only: the repository is a config repository. */
const DEFAULTS = '# envsync: the defaults\n';
const RAW = { 'content-type': 'application/vnd.github.raw+json' };

const API = 'https://api.github.com';
const REPO = '/repos/Codertocat/Hello-World';
const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);
const GATE = 'envsync/approval: hook/onInit/change-approval';

let work: string;
let store: Store;
let app: ReturnType<typeof createEnvsyncApp>;
let probot: ReturnType<typeof testProbot>;
let sent: { method: string; path: string; body: unknown }[];

async function start(url: string, queue: Partial<QueueSettings> = {}) {
  store = await openStore({ url, queue: { pollMs: 50, ...queue } });
  // A followed config repository whose base the system holds: pull requests are planned against it.
  if (await store.followRepository('Codertocat/Hello-World')) {
    await new SystemService(store).applyRevision(exampleFiles(), BASE, { trigger: 'webhook', actor: null }, { repo: 'Codertocat/Hello-World' });
  }
  app = createEnvsyncApp({ system: new SystemService(store), driftMinutes: 0, appId: 123 });
  probot = testProbot();
  await probot.load(app.appFn, { cwd: process.cwd(), addHandler: () => {} });
}

beforeEach(async () => {
  nock.disableNetConnect();
  work = mkdtempSync(join(tmpdir(), 'envsync-pr-'));
  sent = [];
  await start(`sqlite:${join(work, 'store.db')}`);
  nock(API).persist().post('/app/installations/1/access_tokens').reply(201, { token: 'installation-token', expires_at: '2099-01-01T00:00:00Z' });
});
afterEach(async () => {
  expect(app.running()?.failures.map((f) => String(f.error))).toEqual([]);
  await app.running()?.stop();
  await store.close();
  nock.cleanAll();
  rmSync(work, { recursive: true, force: true });
});

/** A reply to a command: none there yet, then made (and recorded). */
const reply = () =>
  nock(API)
    .get(`${REPO}/issues/2/comments`)
    .query(true)
    .reply(200, [])
    .post(`${REPO}/issues/2/comments`)
    .reply(201, (uri, body) => (keep('POST', uri)(uri, body), { id: 3 }));

/** Records a request body and answers it. */
const keep = (method: string, path: string) => (_uri: string, body: unknown) => {
  sent.push({ method, path, body });
  return body;
};

function mockPullRequest(head = HEAD, author = 'Codertocat') {
  nock(API).get(`${REPO}/pulls/2`).reply(200, { number: 2, state: 'open', head: { sha: head }, base: { sha: BASE, ref: 'main' }, user: { login: author } });
}

function mockCheckFlow(headFiles = scenarioFiles('template-edited-in-place'), comments: unknown[] = []) {
  mockPullRequest();
  nock(API)
    .get(`${REPO}/contents/.github%2Fenvsync.yml`)
    .query({ ref: BASE })
    .reply(200, DEFAULTS, RAW)
    .get(`${REPO}/tarball/${HEAD}`)
    .reply(200, tarballOf(headFiles), { 'content-type': 'application/x-gzip' })
    .get(`${REPO}/commits/${HEAD}/check-runs`)
    .query({ per_page: 100, filter: 'latest', app_id: 123 })
    .reply(200, { check_runs: [] })
    .post(`${REPO}/check-runs`)
    .times(3)
    .reply(201, (uri, body) => {
      keep('POST', uri)(uri, body);
      return { id: sent.length };
    })
    .get(`${REPO}/issues/2/comments`)
    .query(true)
    .reply(200, comments);
}

/** Until no job is due or running: a retry waiting its backoff becomes due on its own. */
const waitForJobs = async () => {
  for (;;) {
    await app.running()!.queue.idle();
    const waiting = (await store.jobs.list({ state: 'pending' })).filter((j) => Date.parse(j.runAt) - Date.now() < 30_000).length;
    if (waiting === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
};

const receive = async (name: string, payload: unknown, id = `d-${Math.random()}`) => {
  await probot.receive({ id, name, payload } as never);
  await waitForJobs();
};

describe('a pull request', () => {
  it('gets a passing validate check, the plan check, a pending gate and the plan comment: 10 requests', async () => {
    mockCheckFlow();
    nock(API).post(`${REPO}/issues/2/comments`).reply(201, (uri, body) => (keep('POST', uri)(uri, body), { id: 500 }));
    await receive('pull_request', pullRequestOpened(HEAD, BASE));

    const checks = sent.filter((s) => s.path.endsWith('/check-runs')).map((s) => s.body as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(checks.map((c) => [c.name, c.head_sha, c.status, c.conclusion])).toEqual([
      ['envsync/validate', HEAD, 'completed', 'success'],
      ['envsync/plan', HEAD, 'completed', 'success'],
      [GATE, HEAD, 'queued', undefined],
    ]);
    expect(checks[0]!.output).toEqual({ title: 'all specs valid', summary: '15 files, 15 specs: 0 errors, 0 warnings\n\nEach finding is annotated on its line in "Files changed".', annotations: [] });
    expect(checks[1]!.output.title).toBe('1 change, 2 runs, 2 approvals needed');
    expect(checks[2]!.output).toEqual({
      title: 'waiting for approval',
      summary: 'Gate `hook/onInit/change-approval` of `payments/dev`, `payments/staging` needs an approval for this commit: comment `/approve` (or `/approve hook/onInit/change-approval`) as a reviewer with write access or a listed approver.',
    });
    const comment = (sent.find((s) => s.path.endsWith('/issues/2/comments'))!.body as { body: string }).body;
    expect(comment.startsWith(`${PLAN_MARKER}\n### envsync plan: <code>system</code> → <code>aaaaaaa</code>`)).toBe(true);
    expect(comment).toContain('**Approval gates** (comment `/approve`, or `/approve GATE`): `hook/onInit/change-approval`');
    expect(comment.endsWith(`<!-- envsync:head ${HEAD} -->\n`)).toBe(true);
    expect(nock.pendingMocks().filter((m) => !m.includes('access_tokens'))).toEqual([]);
  });

  it('updates its comment in place on a new push, and says approvals must be given again', async () => {
    const old = 'c'.repeat(40);
    mockCheckFlow(scenarioFiles('template-edited-in-place'), [{ id: 500, body: `${PLAN_MARKER}\nold plan\n<!-- envsync:head ${old} -->\n`, user: { type: 'Bot' } }]);
    nock(API).patch(`${REPO}/issues/comments/500`).reply(200, (uri, body) => (keep('PATCH', uri)(uri, body), {}));
    await receive('pull_request', { ...pullRequestOpened(HEAD, BASE), action: 'synchronize' });
    const update = sent.find((s) => s.method === 'PATCH')!.body as { body: string };
    expect(update.body).toContain('New commits since `ccccccc`: approvals given before them no longer count. Approve `aaaaaaa` again.');
    expect(sent.filter((s) => s.path.endsWith('/issues/2/comments') && s.method === 'POST')).toEqual([]);
  });

  it('annotates every finding of an invalid head, 50 per request, and folds the plan', async () => {
    // 60 environments naming a template that does not exist: 60 errors.
    const broken = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [
        `projects/payments/environments/broken-${i}.yaml`,
        `apiVersion: eaas.envmgmt.io/v1\nkind: Environment\nmetadata:\n  name: broken-${i}\n  project: payments\nspec:\n  template:\n    name: nope\n    version: v1\n`,
      ]),
    );
    mockCheckFlow([...exampleFiles(), ...sources(broken)]);
    nock(API)
      .patch(/\/check-runs\/\d+$/)
      .reply(200, (uri, body) => (keep('PATCH', uri)(uri, body), {}))
      .post(`${REPO}/issues/2/comments`)
      .reply(201, (uri, body) => (keep('POST', uri)(uri, body), { id: 1 }));
    await receive('pull_request', pullRequestOpened(HEAD, BASE));
    const validate = sent.find((s) => (s.body as { name?: string }).name === 'envsync/validate')!.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(validate.conclusion).toBe('failure');
    expect(validate.output.title).toBe('60 errors, 0 warnings');
    expect(validate.output.annotations).toHaveLength(50);
    expect(validate.output.annotations[0]).toEqual({
      path: 'projects/payments/environments/broken-0.yaml',
      start_line: 8,
      end_line: 8,
      start_column: 11,
      end_column: 11,
      annotation_level: 'failure',
      title: 'envsync ref-not-found',
      message: 'EnvironmentTemplate "nope" does not exist in project payments nor is it shared with it: add projects/payments/environmenttemplates/nope.yaml or correct the name',
    });
    const more = sent.filter((s) => s.method === 'PATCH' && s.path.includes('check-runs'));
    expect(more.map((m) => (m.body as { output: { annotations: unknown[] } }).output.annotations.length)).toEqual([10]);
    const comment = (sent.find((s) => s.path.endsWith('/issues/2/comments'))!.body as { body: string }).body;
    expect(comment).toContain('### envsync: the head does not validate');
    expect(comment).toContain('<details><summary>Plan of this head</summary>');
  });

  it('is not checked for a head that is no longer the pull request\'s head', async () => {
    mockPullRequest('f'.repeat(40));
    await receive('pull_request', pullRequestOpened(HEAD, BASE));
    expect(sent).toEqual([]);
    expect(nock.pendingMocks().filter((m) => !m.includes('access_tokens'))).toEqual([]);
  });

  it('is not checked twice for a redelivered event', async () => {
    mockCheckFlow();
    nock(API).post(`${REPO}/issues/2/comments`).reply(201, { id: 1 });
    await receive('pull_request', pullRequestOpened(HEAD, BASE), 'same');
    const checked = sent.length;
    await receive('pull_request', pullRequestOpened(HEAD, BASE), 'same');
    expect(sent).toHaveLength(checked);
    expect((await store.jobs.list()).filter((j) => j.task !== 'prune')).toEqual([]);
  });

  it('is checked again, without a redelivery, after an attempt failed (GitHub down)', async () => {
    nock(API).get(`${REPO}/pulls/2`).reply(500, { message: 'Server Error' });
    mockCheckFlow();
    nock(API).post(`${REPO}/issues/2/comments`).reply(201, { id: 1 });
    await receive('pull_request', pullRequestOpened(HEAD, BASE), 'flaky');
    // The retry waits its backoff (about 3 s) before it is due.
    await waitForJobs();
    expect(app.running()!.failures.splice(0).map((f) => f.task)).toEqual(['check-pull-request']);
    expect(sent.map((r) => (r.body as { name: string }).name)).toEqual(['envsync/validate', 'envsync/plan', GATE]);
  });

  it('is checked when an event whose check failed for good is redelivered', async () => {
    await app.running()!.stop();
    await store.close();
    await start(`sqlite:${join(work, 'store.db')}`, { maxAttempts: 1 });
    nock(API).get(`${REPO}/pulls/2`).reply(500, { message: 'Server Error' });
    await receive('pull_request', pullRequestOpened(HEAD, BASE), 'flaky');
    expect(app.running()!.failures.splice(0).map((f) => f.task)).toEqual(['check-pull-request']);
    expect((await store.jobs.list()).filter((j) => j.task !== 'prune').map((j) => [j.key, j.state, j.lastError])).toEqual([['delivery:flaky', 'failed', expect.stringContaining('Server Error')]]);

    mockCheckFlow();
    nock(API).post(`${REPO}/issues/2/comments`).reply(201, { id: 1 });
    await receive('pull_request', pullRequestOpened(HEAD, BASE), 'flaky');
    expect(sent.map((r) => (r.body as { name: string }).name)).toEqual(['envsync/validate', 'envsync/plan', GATE]);
    expect((await store.jobs.list()).filter((j) => j.task !== 'prune')).toEqual([]);
  });
});

describe('/approve', () => {
  const listChecks = () =>
    nock(API)
      .get(`${REPO}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { check_runs: [{ id: 7, name: GATE, status: 'queued', conclusion: null }, { id: 8, name: 'envsync/plan', status: 'completed', conclusion: 'success' }] });
  const config = (text = DEFAULTS) => nock(API).get(`${REPO}/contents/.github%2Fenvsync.yml`).query({ ref: BASE }).reply(200, text, RAW);
  const reaction = (content: string) => nock(API).post(`${REPO}/issues/comments/99/reactions`, { content }).reply(201, {});

  it('from a user with write access passes the gate for this head, with a reaction', async () => {
    mockPullRequest();
    config();
    nock(API).get(`${REPO}/collaborators/reviewer/permission`).reply(200, { permission: 'write', role_name: 'write' });
    listChecks();
    nock(API).patch(`${REPO}/check-runs/7`).reply(200, (uri, body) => (keep('PATCH', uri)(uri, body), {}));
    reaction('+1');
    await receive('issue_comment', commentCreated('/approve', 'reviewer'));
    expect(sent).toEqual([
      {
        method: 'PATCH',
        path: `${REPO}/check-runs/7`,
        body: { status: 'completed', conclusion: 'success', output: { title: 'approved by @reviewer', summary: 'Gate `hook/onInit/change-approval`: approved by @reviewer for this commit.' } },
      },
    ]);
    expect(await store.listApprovals('Codertocat/Hello-World', 2, `${HEAD}:main`)).toMatchObject([{ gate: 'hook/onInit/change-approval', user: 'reviewer', decision: 'approve' }]);
    expect(nock.pendingMocks().filter((m) => !m.includes('access_tokens'))).toEqual([]);
  });

  it('on a merged pull request releases the run its merge holds for that gate', async () => {
    const MERGE = 'd'.repeat(40);
    const RUN = `${MERGE.slice(0, 12)}-payments-dev-deploy`;
    const dispatch = { order: 0, environment: 'payments/dev', action: 'deploy' as const, branch: 'main', workflow: 'envsync-run.yml', sha: MERGE, gates: ['hook/onInit/change-approval'], after: [], labels: ['ubuntu-latest'], approvals: [{ number: 2, subject: `${HEAD}:main` }] };
    await store.createRun({ id: RUN, project: 'payments', environment: 'dev', action: 'deploy', revision: MERGE, status: 'waiting', activities: [], outputs: {} }, { repo: 'Codertocat/Hello-World', dispatch });
    await store.updateTracking(RUN, { deploymentId: 41 });
    const merged = { number: 2, state: 'closed', head: { sha: HEAD }, base: { sha: BASE, ref: 'main' }, user: { login: 'Codertocat' }, merged_at: '2026-11-21T07:00:00Z', merge_commit_sha: MERGE };
    nock(API).get(`${REPO}/pulls/2`).reply(200, merged);
    config();
    nock(API).get(`${REPO}/collaborators/reviewer/permission`).reply(200, { permission: 'write', role_name: 'write' });
    listChecks();
    nock(API)
      .patch(`${REPO}/check-runs/7`)
      .reply(200, {})
      .post(`${REPO}/actions/workflows/envsync-run.yml/dispatches`)
      .reply(204, (uri, body) => (keep('POST', uri)(uri, body), ''))
      .get(`${REPO}/deployments/41/statuses`)
      .query({ per_page: 1 })
      .reply(200, [{ state: 'queued', description: 'waiting for approval of hook/onInit/change-approval: /approve on #2' }])
      .post(`${REPO}/deployments/41/statuses`)
      .reply(201, (uri, body) => (keep('POST', uri)(uri, body), {}));
    reaction('+1');
    await receive('issue_comment', commentCreated('/approve', 'reviewer'));
    expect(sent[0]).toEqual({
      method: 'POST',
      path: `${REPO}/actions/workflows/envsync-run.yml/dispatches`,
      body: { ref: 'main', inputs: { environment: 'payments/dev', action: 'deploy', sha: MERGE, approved: 'hook/onInit/change-approval', 'runs-on': '["ubuntu-latest"]', 'run-id': RUN, package: `@envsync/cli@${packageVersion()}` } },
    });
    expect((await store.getRun(RUN))?.status).toBe('queued');
    expect(nock.pendingMocks().filter((m) => !m.includes('access_tokens'))).toEqual([]);
  });

  it('from the pull request\'s author is refused with a reply that says why', async () => {
    mockPullRequest(HEAD, 'author');
    config();
    reply();
    reaction('confused');
    await receive('issue_comment', commentCreated('/approve', 'author'));
    expect(sent.map((s) => (s.body as { body: string }).body)).toEqual(['@author, the author of a pull request cannot approve it: ask a reviewer with write access or a listed approver.\n\n<!-- envsync:reply 99 -->']);
    expect(await store.listApprovals('Codertocat/Hello-World', 2, `${HEAD}:main`)).toEqual([]);
  });

  it('from the author counts when the configuration allows it', async () => {
    mockPullRequest(HEAD, 'author');
    config('approvals:\n  allowAuthor: true\n  users: [author]\n');
    listChecks();
    nock(API).patch(`${REPO}/check-runs/7`).reply(200, {});
    reaction('+1');
    await receive('issue_comment', commentCreated('/approve change-approval', 'author'));
    expect(await store.listApprovals('Codertocat/Hello-World', 2, `${HEAD}:main`)).toHaveLength(1);
  });

  it('from a user with read access only is refused', async () => {
    mockPullRequest();
    config();
    nock(API).get(`${REPO}/collaborators/reader/permission`).reply(200, { permission: 'read', role_name: 'read' });
    reply();
    reaction('confused');
    await receive('issue_comment', commentCreated('/approve', 'reader'));
    expect((sent[0]!.body as { body: string }).body).toBe('@reader, your approval does not count: it needs write access to this repository (you have read) or a place among the approvers of `.github/envsync.yml`.\n\n<!-- envsync:reply 99 -->');
  });

  it('from a member of a listed team counts without write access', async () => {
    mockPullRequest();
    config('approvals:\n  teams: [acme/platform]\n');
    nock(API).get('/orgs/acme/teams/platform/memberships/lead').reply(200, { state: 'active' });
    listChecks();
    nock(API).patch(`${REPO}/check-runs/7`).reply(200, {});
    reaction('+1');
    await receive('issue_comment', commentCreated('/approve', 'lead'));
    expect(await store.listApprovals('Codertocat/Hello-World', 2, `${HEAD}:main`)).toMatchObject([{ user: 'lead' }]);
  });

  it('from a bot is ignored without a word', async () => {
    await receive('issue_comment', commentCreated('/approve', 'envsync[bot]', 'Bot'));
    expect(sent).toEqual([]);
  });

  it('naming a gate the head does not have is refused with the gates it has', async () => {
    mockPullRequest();
    config();
    nock(API).get(`${REPO}/collaborators/reviewer/permission`).reply(200, { permission: 'admin' });
    listChecks();
    reply();
    reaction('confused');
    await receive('issue_comment', commentCreated('/approve deploy-gate', 'reviewer'));
    expect((sent[0]!.body as { body: string }).body).toBe('@reviewer, no gate named `deploy-gate`: this head\'s gates are `hook/onInit/change-approval`.\n\n<!-- envsync:reply 99 -->');
  });

  it('quotes a gate name it was given in a code span the name cannot close', async () => {
    mockPullRequest();
    config();
    nock(API).get(`${REPO}/collaborators/reviewer/permission`).reply(200, { permission: 'admin' });
    listChecks();
    reply();
    reaction('confused');
    await receive('issue_comment', commentCreated('/approve x`**[click](https://evil.example)**`', 'reviewer'));
    expect((sent[0]!.body as { body: string }).body).toBe("@reviewer, no gate named `` x`**[click](https://evil.example)**` ``: this head's gates are `hook/onInit/change-approval`.\n\n<!-- envsync:reply 99 -->");
  });

  it('survives a restart of the app: a new check of the same head shows the gate approved', async () => {
    await store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 2, sha: `${HEAD}:main`, gate: 'hook/onInit/change-approval', user: 'reviewer', decision: 'approve' });
    await app.running()!.stop();
    await store.close();
    await start(`sqlite:${join(work, 'store.db')}`);
    mockCheckFlow();
    nock(API).post(`${REPO}/issues/2/comments`).reply(201, { id: 1 });
    await receive('pull_request', pullRequestOpened(HEAD, BASE));
    const gate = sent.map((s) => s.body as Record<string, any>).find((b) => b.name === GATE)!; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect([gate.status, gate.conclusion, gate.output.title]).toEqual(['completed', 'success', 'approved by @reviewer']);
  });
});

/** A /reject by a reviewer with write access of the head's one gate: its check is recorded as patched. */
function mockReject() {
    mockPullRequest();
    nock(API).get(`${REPO}/contents/.github%2Fenvsync.yml`).query(true).reply(200, DEFAULTS, RAW);
    nock(API).get(`${REPO}/collaborators/reviewer/permission`).reply(200, { permission: 'write' });
    nock(API)
      .get(`${REPO}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { check_runs: [{ id: 7, name: GATE, status: 'queued', conclusion: null }] })
      .patch(`${REPO}/check-runs/7`)
      .reply(200, (uri, body) => (keep('PATCH', uri)(uri, body), {}))
      .post(`${REPO}/issues/comments/99/reactions`)
      .reply(201, {});
}

describe('other commands', () => {
  it('/help answers with the commands, once however often the job runs', async () => {
    reply();
    await receive('issue_comment', commentCreated('/help', 'anyone'));
    expect((sent[0]!.body as { body: string }).body).toMatch(/^envsync commands, in a comment of their own line:/);
  });

  it('/reject fails the gates with the reason', async () => {
    mockReject();
    await receive('issue_comment', commentCreated('/reject not during the freeze', 'reviewer'));
    expect((sent[0]!.body as Record<string, any>).output).toEqual({ title: 'rejected by @reviewer', summary: 'Gate `hook/onInit/change-approval`: rejected by @reviewer: not during the freeze.' }); // eslint-disable-line @typescript-eslint/no-explicit-any
  });
  it('/reject shows its reason as plain text: no markup, link, HTML or @mention of the commenter takes effect', async () => {
    mockReject();
    await receive('issue_comment', commentCreated('/reject ask @acme/security <img src=x> [here](https://evil.example) `x` # now', 'reviewer'));
    expect((sent[0]!.body as Record<string, any>).output.summary).toBe( // eslint-disable-line @typescript-eslint/no-explicit-any
      'Gate `hook/onInit/change-approval`: rejected by @reviewer: ask @&#8203;acme/security &lt;img src=x&gt; \\[here\\]\\(https://evil.example\\) &#96;x&#96; \\# now.',
    );
  });
});

describe('a change of base', () => {
  it('asks for approvals anew: an approval given against another base does not count', async () => {
    await store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 2, sha: `${HEAD}:lenient-branch`, gate: 'hook/onInit/change-approval', user: 'author', decision: 'approve' });
    mockCheckFlow();
    nock(API).post(`${REPO}/issues/2/comments`).reply(201, { id: 1 });
    await receive('pull_request', { ...pullRequestOpened(HEAD, BASE), action: 'edited', changes: { base: { ref: { from: 'lenient-branch' } } } });
    const gate = sent.map((s) => s.body as Record<string, any>).find((b) => b.name === GATE)!; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect([gate.status, gate.output.title]).toEqual(['queued', 'waiting for approval']);
  });
});
