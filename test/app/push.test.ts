// The app on push: the sync branch's revision is applied to the system (queued, after the webhook is
// answered), a redelivered push changes nothing, other branches are ignored; the API is mounted.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import examples from '@octokit/webhooks-examples';
import nock from 'nock';
import type { ApplicationFunctionOptions } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Octokit } from '@octokit/core';
import { packageVersion } from '../../src/version.js';
import { createEnvsyncApp } from '../../src/app/index.js';
import { OctokitPort } from '../../src/github/octokit-port.js';
import { applyPush, type PushEvent } from '../../src/flows/merge/apply-push.js';
import { SystemService } from '../../src/system/service.js';
import { hashToken } from '../../src/app/api.js';
import { openStore, type Store } from '../../src/system/store.js';
import { exampleFiles, scenarioFiles } from '../golden/scenarios.js';
import { tarballOf } from '../helpers/github-fixtures.js';
import { sources } from '../helpers/repo.js';
import { testProbot } from '../helpers/probot.js';
import { stopAppCleanly } from '../helpers/app-teardown.js';

/** A configuration of defaults only: the repository is a config repository. */
const DEFAULTS = '# envsync: the defaults\n';
const RAW = { 'content-type': 'application/vnd.github.raw+json' };

const API = 'https://api.github.com';
type Example = { name: string; examples: Record<string, unknown>[] };
const pushExample = () => structuredClone((examples as unknown as Example[]).find((e) => e.name === 'push')!.examples[4]!) as {
  ref: string;
  after: string;
  repository: { default_branch: string; full_name: string };
  installation: { id: number };
};

const tarball = () => tarballOf(exampleFiles());

let store: Store;
type Handler = Parameters<ApplicationFunctionOptions['addHandler']>[0];
let handlers: Handler[];
let app: ReturnType<typeof createEnvsyncApp>;
let probot: ReturnType<typeof testProbot>;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  store = await openStore({ url: ':memory:', queue: { pollMs: 50 } });
  await store.followRepository('Codertocat/Hello-World');
  handlers = [];
  app = createEnvsyncApp({ system: new SystemService(store), apiTokens: [{ name: 'ci', sha256: hashToken('secret-token'), projects: { '*': 'read' } }], driftMinutes: 0 });
  probot = testProbot();
  await probot.load(app.appFn, { cwd: process.cwd(), addHandler: (h: Handler) => handlers.push(h) });
});
afterEach(() => stopAppCleanly(app, store));

const token = () => nock(API).post('/app/installations/1/access_tokens').reply(201, { token: 'installation-token', expires_at: '2099-01-01T00:00:00Z' });

const REPO = '/repos/Codertocat/Hello-World';
const PR_HEAD = 'c'.repeat(40);
const GATE = 'hook/onInit/change-approval';
let sent: string[];

/** The requests of one push to the sync branch, up to the runs; `pulls` is what GitHub says the commit merged. */
/** The reads of a push; `retry`: of a push this app has read before (Probot's token and the revision are kept). */
function mockPush(after: string, pulls: unknown[], config?: string, retry = false) {
  if (!retry) token(); // Probot reuses an installation's token for later events
  const api = nock(API).get(`${REPO}/contents/.github%2Fenvsync.yml`).query({ ref: 'master' }).reply(200, config ?? DEFAULTS, RAW);
  if (!retry) api.get(`${REPO}/tarball/${after}`).reply(200, tarball(), { 'content-type': 'application/x-gzip' });
  api.get(`${REPO}/commits/${after}/pulls`).reply(200, pulls);
}

/** Deployments, their statuses and dispatches, recorded as "METHOD path body". */
function mockRuns(options: { deployments: number; statuses: number; dispatches: number; failDispatch?: string; refuseDispatch?: string }) {
  let next = 100;
  const record = (uri: string, body: unknown) => sent.push(`${uri.replace(REPO, '')} ${JSON.stringify(body)}`);
  // Each is ensured: looked for first (none there yet), then made.
  if (options.deployments) {
    nock(API).get(`${REPO}/deployments`).query(true).times(options.deployments).reply(200, []);
    nock(API).post(`${REPO}/deployments`).times(options.deployments).reply(201, (uri, body) => (record(uri, body), { id: ++next }));
  }
  if (options.statuses) {
    nock(API).get(/\/deployments\/\d+\/statuses$/).query({ per_page: 1 }).times(options.statuses).reply(200, []);
    nock(API).post(/\/deployments\/\d+\/statuses$/).times(options.statuses).reply(201, (uri, body) => (record(uri, body), {}));
  }
  if (options.dispatches)
    nock(API)
      .post(`${REPO}/actions/workflows/envsync-run.yml/dispatches`)
      .times(options.dispatches)
      .reply((uri, body) => {
        record(uri, body);
        if (JSON.stringify(body).includes(options.refuseDispatch ?? '\u0000')) return [422, { message: 'Unexpected inputs provided: ["package"]' }];
        return JSON.stringify(body).includes(options.failDispatch ?? '\u0000') ? [500, { message: 'Server Error' }] : [204, ''];
      });
}

/** The pull request GitHub says a merge commit merged. */
const mergedPr = (merge: string) => ({ number: 2, state: 'closed', head: { sha: PR_HEAD }, base: { sha: 'b'.repeat(40), ref: 'master' }, user: { login: 'Codertocat' }, merged_at: '2026-11-21T07:00:00Z', merge_commit_sha: merge });

beforeEach(() => {
  sent = [];
});

/** Until the job failed once has been retried (it waits its backoff, about 3 s). */
async function waitForRetry() {
  for (;;) {
    await app.running()!.queue.idle();
    // Due within 30 s: a retry's backoff; the daily prune and the follow-up of runs come later.
    if ((await store.jobs.list({ state: 'pending' })).filter((j) => Date.parse(j.runAt) - Date.now() < 30_000).length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a push', () => {
  it('to the sync branch applies that revision to the system, after the webhook is answered', async () => {
    const payload = pushExample();
    mockPush(payload.after, []);
    mockRuns({ deployments: 2, statuses: 2, dispatches: 0 });
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(payload.after);
    expect(await store.listResources()).toHaveLength(15);
    expect((await store.listSyncEvents()).every((e) => e.trigger === 'webhook' && e.revision === payload.after)).toBe(true);
    expect(await store.getRepository('Codertocat/Hello-World')).toMatchObject({ installationId: payload.installation.id, defaultBranch: 'master', projects: ['*'], appliedRevision: payload.after });
  });

  /** A push to the sync branch by a bot account, its runs recorded; the app's own account is envsync-test[bot]. */
  async function pushedByBot(login: string) {
    const payload = pushExample() as ReturnType<typeof pushExample> & { sender: { login: string; type: string } };
    payload.sender = { ...payload.sender, login, type: 'Bot' };
    mockPush(payload.after, []);
    nock(API).get('/app').reply(200, { slug: 'envsync-test' }).get('/users/envsync-test%5Bbot%5D').reply(200, { id: 9 });
    mockRuns({ deployments: 2, statuses: 2, dispatches: 0 });
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    return (await store.listRuns()).map((r) => [r.environment, r.trigger, r.actor]).sort();
  }

  it('made by the app itself (a system change committed to the sync branch) starts its runs as internal', async () => {
    expect(await pushedByBot('envsync-test[bot]')).toEqual([
      ['dev', 'internal', 'envsync-test[bot]'],
      ['staging', 'internal', 'envsync-test[bot]'],
    ]);
    expect(sent[0]).toContain('"description":"envsync deploy of payments/dev: started by a system change, committed by envsync-test[bot]"');
  });

  it('by another app\'s bot starts its runs as a Git change', async () => {
    expect(await pushedByBot('renovate[bot]')).toEqual([
      ['dev', 'webhook', 'renovate[bot]'],
      ['staging', 'webhook', 'renovate[bot]'],
    ]);
  });

  it('that merges environments holds each run whose approval gate no one approved, as a queued deployment that says why', async () => {
    const payload = pushExample();
    mockPush(payload.after, []);
    mockRuns({ deployments: 2, statuses: 2, dispatches: 0 });
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    const id = (env: string) => `${payload.after.slice(0, 12)}-payments-${env}-deploy`;
    expect(sent).toEqual([
      `/deployments {"ref":"${payload.after}","environment":"payments/dev","description":"envsync deploy of payments/dev: started by a Git change, pushed by Codertocat","payload":{"runId":"${id('dev')}","action":"deploy","trigger":"webhook"},"auto_merge":false,"required_contexts":[]}`,
      `/deployments {"ref":"${payload.after}","environment":"payments/staging","description":"envsync deploy of payments/staging: started by a Git change, pushed by Codertocat","payload":{"runId":"${id('staging')}","action":"deploy","trigger":"webhook"},"auto_merge":false,"required_contexts":[]}`,
      `/deployments/101/statuses {"state":"queued","description":"waiting for approval of ${GATE}: /approve on the merged pull request"}`,
      `/deployments/102/statuses {"state":"queued","description":"waiting for approval of ${GATE}: /approve on the merged pull request"}`,
    ]);
    expect((await store.listRuns()).map((r) => `${r.id} ${r.status}`).sort()).toEqual([`${id('dev')} waiting`, `${id('staging')} waiting`]);
  });

  it('dispatches the runner workflow for each run approved on the merged pull request, with the runner labels of its agents', async () => {
    const payload = pushExample();
    await store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 2, sha: `${PR_HEAD}:master`, gate: GATE, user: 'reviewer', decision: 'approve' });
    mockPush(payload.after, [mergedPr(payload.after)], 'runs:\n  labels:\n    linux-large: [self-hosted, large]\n');
    mockRuns({ deployments: 2, statuses: 2, dispatches: 2 });
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    const id = `${payload.after.slice(0, 12)}-payments-staging-deploy`;
    expect(sent.filter((r) => r.startsWith('/actions'))).toEqual([
      `/actions/workflows/envsync-run.yml/dispatches {"ref":"master","inputs":{"environment":"payments/dev","action":"deploy","sha":"${payload.after}","approved":"${GATE}","runs-on":"[\\"ubuntu-latest\\"]","run-id":"${payload.after.slice(0, 12)}-payments-dev-deploy","package":"@envsync/cli@${packageVersion()}"}}`,
      `/actions/workflows/envsync-run.yml/dispatches {"ref":"master","inputs":{"environment":"payments/staging","action":"deploy","sha":"${payload.after}","approved":"${GATE}","runs-on":"[\\"self-hosted\\",\\"large\\"]","run-id":"${id}","package":"@envsync/cli@${packageVersion()}"}}`,
    ]);
    expect(sent.at(-1)).toBe('/deployments/102/statuses {"state":"queued","description":"dispatched to envsync-run.yml","log_url":"https://github.com/Codertocat/Hello-World/actions/workflows/envsync-run.yml"}');
    expect((await store.getRun(id))?.status).toBe('queued');
  });

  it('failing half-way is retried and resumes: no run, deployment or dispatch is made twice', async () => {
    const payload = pushExample();
    await store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 2, sha: `${PR_HEAD}:master`, gate: GATE, user: 'reviewer', decision: 'approve' });
    mockPush(payload.after, [mergedPr(payload.after)]);
    mockRuns({ deployments: 2, statuses: 1, dispatches: 2, failDispatch: 'payments/staging' });
    // The retry: the staging dispatch was asked for, so the workflow run it may have started is
    // looked for first; there is none, so it is dispatched again. The revision read the first time
    // is not downloaded again.
    mockPush(payload.after, [mergedPr(payload.after)], undefined, true);
    // dev was dispatched and told so: its status is only read again.
    nock(API).get(`${REPO}/deployments/101/statuses`).query({ per_page: 1 }).reply(200, [{ state: 'queued', description: 'dispatched to envsync-run.yml' }]);
    nock(API).get(`${REPO}/actions/workflows/envsync-run.yml/runs`).query(true).reply(200, { total_count: 0, workflow_runs: [] });
    mockRuns({ deployments: 0, statuses: 1, dispatches: 1 });
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(app.running()!.failures.splice(0).map((f) => f.task)).toEqual(['apply-push']);
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBeUndefined(); // applied only once every run has started
    await waitForRetry();
    expect(sent.map((r) => r.split(' ')[0])).toEqual([
      '/deployments',
      '/deployments',
      '/actions/workflows/envsync-run.yml/dispatches',
      '/deployments/101/statuses',
      '/actions/workflows/envsync-run.yml/dispatches',
      '/actions/workflows/envsync-run.yml/dispatches',
      '/deployments/102/statuses',
    ]);
    expect(sent.slice(-3, -1).map((r) => r.includes('"environment":"payments/staging"'))).toEqual([true, true]);
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(payload.after);
    expect((await store.listRuns()).length).toBe(2);
  });

  it('whose dispatch GitHub refuses (a workflow from an older envsync init) is applied, the refused run not run saying what to do, the other dispatched', async () => {
    const payload = pushExample();
    await store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 2, sha: `${PR_HEAD}:master`, gate: GATE, user: 'reviewer', decision: 'approve' });
    mockPush(payload.after, [mergedPr(payload.after)]);
    mockRuns({ deployments: 2, statuses: 2, dispatches: 2, refuseDispatch: 'payments/dev' });
    // The runs are decided again after the refusal: staging's deployment is read, and says it already.
    nock(API).get(`${REPO}/deployments/102/statuses`).query({ per_page: 1 }).reply(200, [{ state: 'queued', description: 'dispatched to envsync-run.yml' }]);
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(payload.after);
    const runs = Object.fromEntries((await store.listRuns()).map((r) => [r.environment, [r.status, r.reason]]));
    expect(runs).toEqual({ dev: ['not_run', expect.stringMatching(/^GitHub refused the dispatch of envsync-run.yml \(422: Unexpected inputs provided: \["package"\].*\): the workflow was written by an older envsync init; run envsync init --force and commit it$/)], staging: ['queued', null] });
    expect(sent.filter((r) => r.includes('/statuses')).map((r) => JSON.parse(r.slice(r.indexOf(' ') + 1)).state)).toEqual(['error', 'queued']);
  });

  it('of a revision the system already has starts nothing', async () => {
    const payload = pushExample();
    mockPush(payload.after, []);
    mockRuns({ deployments: 2, statuses: 2, dispatches: 0 });
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    sent = [];
    // The configuration says which branch syncs; then the revision is known to be applied: no more.
    nock(API).get(`${REPO}/contents/.github%2Fenvsync.yml`).query({ ref: 'master' }).reply(200, DEFAULTS, RAW);
    await probot.receive({ id: 'delivery-2', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(sent).toEqual([]);
    expect((await store.listRuns()).length).toBe(2);
  });

  it('of a revision whose root holds no projects/ is a finding, never an empty revision that deletes everything', async () => {
    const payload = pushExample();
    await new SystemService(store).applyRevision(exampleFiles(), 'a'.repeat(40), { trigger: 'webhook', actor: null });
    nock(API)
      .get(`${REPO}/contents/.github%2Fenvsync.yml`)
      .query({ ref: 'master' })
      .reply(200, 'root: config\n', RAW)
      .get(`${REPO}/tarball/${payload.after}`)
      .reply(200, tarballOf(exampleFiles()), { 'content-type': 'application/x-gzip' });
    const outcome = await applyPush(new OctokitPort(new Octokit({ auth: 't' })), new SystemService(store), payload as unknown as PushEvent);
    expect(outcome).toEqual({
      outcome: 'invalid',
      ignored: `revision ${payload.after} of master was not applied and started no run: .github/envsync.yml: the layout root "config" holds no projects/ folder, so this revision would hold no specs at all: fix root in .github/envsync.yml, or restore projects/`,
    });
    expect(await store.listResources()).toHaveLength(15);
  });

  it('of a revision that claims a project another followed repository owns applies nothing, and names both', async () => {
    const payload = pushExample();
    await store.followRepository('Codertocat/Payments');
    await store.updateRepository('Codertocat/Payments', { projects: ['payments'] });
    nock(API)
      .get(`${REPO}/contents/.github%2Fenvsync.yml`)
      .query({ ref: 'master' })
      .reply(200, DEFAULTS, RAW)
      .get(`${REPO}/tarball/${payload.after}`)
      .reply(200, tarballOf(exampleFiles()), { 'content-type': 'application/x-gzip' });
    const outcome = await applyPush(new OctokitPort(new Octokit({ auth: 't' })), new SystemService(store), payload as unknown as PushEvent);
    expect(outcome).toEqual({
      outcome: 'invalid',
      ignored: `revision ${payload.after} of master was not applied and started no run: .github/envsync.yml: "*" claims projects that Codertocat/Payments owns ("payments" in its .github/envsync.yml): a project belongs to one config repository; remove it here or there`,
    });
    expect(await store.listResources()).toEqual([]);
  });

  it('of a revision that does not validate applies nothing and starts no run, and is not a failure of the app', async () => {
    const payload = pushExample();
    const broken = exampleFiles().map((f) =>
      f.path === 'projects/payments/environments/dev.yaml' ? sources({ [f.path]: new TextDecoder().decode(f.content).replace('    value: "1"', '    value: "3"') })[0]! : f,
    );
    const read = () =>
      nock(API)
        .get(`${REPO}/contents/.github%2Fenvsync.yml`)
        .query({ ref: 'master' })
        .reply(200, DEFAULTS, RAW)
        .get(`${REPO}/tarball/${payload.after}`)
        .reply(200, tarballOf(broken), { 'content-type': 'application/x-gzip' });
    token();
    read();
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBeUndefined();
    expect(await store.listRuns()).toEqual([]);
    expect(app.running()!.failures).toEqual([]);
    // What the log says: where the revision is wrong, and what to do.
    read();
    expect(await applyPush(new OctokitPort(new Octokit({ auth: 't' })), new SystemService(store), payload as unknown as PushEvent)).toEqual({
      ignored: `revision ${payload.after} of master does not validate (1 error), so nothing was applied or run: projects/payments/environments/dev.yaml:18:12: variable "replicas" is "3", but EnvironmentTemplate "web-stack" restricts it to: "1", "2", "4": did you mean "1"?; fix it in a new commit on master`,
      outcome: 'invalid',
    });
    expect((await store.listPushes('Codertocat/Hello-World')).map((p) => p.outcome)).toEqual(['invalid', 'invalid']);
  });

  it('redelivered changes nothing and asks GitHub nothing', async () => {
    const payload = pushExample();
    mockPush(payload.after, []);
    mockRuns({ deployments: 2, statuses: 2, dispatches: 0 });
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    const before = sent.length;
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(sent).toHaveLength(before);
    expect((await store.jobs.list()).filter((j) => j.task !== 'prune')).toEqual([]);
  });

  /**
   * The system at `previous`; the push brings two merges: #3 (merged first, its push never came) and
   * #2, which made `payload.after`. `withFirstHead` lists #3's own commit in the comparison too.
   */
  async function twoMerges(payload: ReturnType<typeof pushExample>, withFirstHead: boolean) {
    const [previous, firstMerge, firstHead] = ['a'.repeat(40), 'd'.repeat(40), 'e'.repeat(40)];
    await new SystemService(store).applyRevision(exampleFiles(), previous, { trigger: 'webhook', actor: null }, { repo: 'Codertocat/Hello-World' });
    const pull = (number: number, head: string, merge: string) => ({ number, state: 'closed', head: { sha: head }, base: { sha: previous, ref: 'master' }, user: { login: 'Codertocat' }, merged_at: '2026-11-21T07:00:00Z', merge_commit_sha: merge });
    const commits = [
      ...(withFirstHead ? [{ sha: firstHead, parents: [{ sha: previous }] }] : []),
      { sha: firstMerge, parents: [{ sha: previous }, { sha: firstHead }] },
      { sha: payload.after, parents: [{ sha: firstMerge }, { sha: PR_HEAD }] },
    ];
    token();
    nock(API)
      .get(`${REPO}/contents/.github%2Fenvsync.yml`)
      .query({ ref: 'master' })
      .reply(200, DEFAULTS, RAW)
      .get(`${REPO}/compare/${previous}...${payload.after}`)
      .reply(200, { status: 'ahead', commits })
      .get(`${REPO}/tarball/${payload.after}`)
      .reply(200, tarballOf(scenarioFiles('template-edited-in-place')), { 'content-type': 'application/x-gzip' })
      .get(`${REPO}/commits/${firstMerge}/pulls`)
      .reply(200, [pull(3, firstHead, firstMerge)])
      .get(`${REPO}/commits/${payload.after}/pulls`)
      .reply(200, [pull(2, PR_HEAD, payload.after)]);
    return { firstHead };
  }

  it('that brings two merges at once (the first one\'s push was missed) honours the approvals given on each merged pull request', async () => {
    const payload = pushExample();
    const { firstHead } = await twoMerges(payload, true);
    // #3 was approved; #2 was not.
    await store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 3, sha: `${firstHead}:master`, gate: GATE, user: 'reviewer', decision: 'approve' });
    mockRuns({ deployments: 2, statuses: 2, dispatches: 2 });
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    const runs = await store.listUnfinishedRuns('Codertocat/Hello-World');
    expect(runs.map((r) => r.tracking.dispatch.approvals)).toEqual([
      [{ number: 2, subject: `${PR_HEAD}:master` }, { number: 3, subject: `${firstHead}:master` }],
      [{ number: 2, subject: `${PR_HEAD}:master` }, { number: 3, subject: `${firstHead}:master` }],
    ]);
    expect(sent.filter((r) => r.startsWith('/actions')).map((r) => JSON.parse(r.slice(r.indexOf(' ') + 1)).inputs.environment)).toEqual(['payments/dev', 'payments/staging']);
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(payload.after);
  });

  it('that brings two merges at once says where to approve when neither approved: on either pull request', async () => {
    const payload = pushExample();
    await twoMerges(payload, false);
    mockRuns({ deployments: 2, statuses: 2, dispatches: 0 });
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(sent.filter((r) => r.includes('/statuses')).map((r) => JSON.parse(r.slice(r.indexOf(' ') + 1)).description)).toEqual([
      `waiting for approval of ${GATE}: /approve on #2 or #3`,
      `waiting for approval of ${GATE}: /approve on #2 or #3`,
    ]);
  });

  it('diverged from the applied revision, or naming one GitHub no longer knows, is applied when it is the branch\'s head (history was rewritten), and stale otherwise', async () => {
    const payload = pushExample();
    const previous = 'a'.repeat(40);
    await new SystemService(store).applyRevision(exampleFiles(), previous, { trigger: 'webhook', actor: null }, { repo: 'Codertocat/Hello-World' });
    const read = (head: string, compare: [number, unknown]) => {
      nock(API)
        .get(`${REPO}/contents/.github%2Fenvsync.yml`)
        .query({ ref: 'master' })
        .reply(200, DEFAULTS, RAW)
        .get(`${REPO}/compare/${previous}...${payload.after}`)
        .reply(compare[0], compare[1] as Record<string, unknown>)
        .get(`${REPO}/branches/master`)
        .reply(200, { commit: { sha: head, commit: { tree: { sha: 't' } } } });
    };
    // Not the head: stale, whatever the push says of itself.
    token();
    read('f'.repeat(40), [200, { status: 'diverged', commits: [] }]);
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(previous);
    // The head, though not marked forced, and the applied revision gone from GitHub (404): applied.
    read(payload.after, [404, { message: 'Not Found' }]);
    nock(API)
      .get(`${REPO}/tarball/${payload.after}`)
      .reply(200, tarball(), { 'content-type': 'application/x-gzip' })
      .get(`${REPO}/commits/${payload.after}/pulls`)
      .reply(200, []);
    await probot.receive({ id: 'delivery-2', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(payload.after);
    expect((await store.listPushes('Codertocat/Hello-World')).map((p) => `${p.outcome}: ${p.detail}`)).toEqual([
      'applied: applied (force-push: the branch was rewound or rewritten)',
      `stale: revision ${payload.after} is diverged from the applied ${previous} and is not the head of master, so nothing was applied or run`,
    ]);
  });

  it('to another branch is not applied, even when that branch\'s own configuration names it the sync branch', async () => {
    const payload = pushExample();
    payload.ref = 'refs/heads/feature';
    token();
    // Only the default branch's configuration is read (a branch cannot name itself the sync branch).
    nock(API).get('/repos/Codertocat/Hello-World/contents/.github%2Fenvsync.yml').query({ ref: 'master' }).reply(200, DEFAULTS, RAW);
    await probot.receive({ id: 'delivery-2', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBeUndefined();
  });
});

describe('the app server', () => {
  it('serves the system API under /api/v1, and leaves other paths to Probot', async () => {
    const server = createServer(async (req, res) => {
      for (const h of handlers) if (await h(req, res)) return;
      res.writeHead(404).end('not ours');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const api = await fetch(`${base}/api/v1/resources`, { headers: { authorization: 'Bearer secret-token' } });
      expect(api.status).toBe(200);
      expect(await api.json()).toEqual({ resources: [] });
      expect((await fetch(`${base}/api/v1/resources`)).status).toBe(401);
      expect(await (await fetch(`${base}/elsewhere`)).text()).toBe('not ours');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
