// The app following a runner workflow through workflow_run events (real payload shapes, nock): the
// deployment goes in progress, then the results artifact is read back into the store, the deployment
// gets its final status and the merged pull request a summary; runs it did not start are ignored.
import examples from '@octokit/webhooks-examples';
import { zipSync } from 'fflate';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnvsyncApp } from '../../src/app/index.js';
import { SystemService } from '../../src/system/service.js';
import { openStore, type Store } from '../../src/system/store.js';
import { testProbot } from '../helpers/probot.js';
import { packageVersion } from '../../src/version.js';
import { stopAppCleanly } from '../helpers/app-teardown.js';

const API = 'https://api.github.com';
const REPO = '/repos/octo-org/octo-repo';
const REVISION = 'e'.repeat(40);
const RUN = 'eeeeeeeeeeee-payments-dev-deploy';
const WORKFLOW_RUN = 289782451;
const LOG = `https://github.com/octo-org/octo-repo/actions/runs/${WORKFLOW_RUN}`;

type Example = { name: string; examples: Record<string, unknown>[] };
function event(action: 'requested' | 'completed', title = `envsync deploy payments/dev (run ${RUN})`, conclusion: string | null = 'success') {
  const payload = structuredClone((examples as unknown as Example[]).find((e) => e.name === 'workflow_run')!.examples[action === 'completed' ? 1 : 3]!) as {
    action: string;
    workflow_run: { display_title: string; conclusion: string | null };
    installation?: { id: number };
  };
  payload.workflow_run.display_title = title;
  payload.workflow_run.conclusion = action === 'completed' ? conclusion : null;
  payload.installation = { id: 1 };
  return payload;
}

const RESULTS = {
  project: 'payments',
  environment: 'dev',
  action: 'deploy',
  revision: REVISION,
  status: 'success',
  activities: [
    { id: 'resource/network/apply', status: 'success', attempts: 1, startedAt: 1000, finishedAt: 3500, type: 'stage', dependsOn: [] },
    { id: 'hook/onSuccess/smoke-test', status: 'success', attempts: 2, startedAt: 3500, finishedAt: 3600, type: 'http', dependsOn: ['resource/network/apply'], when: 'success', reason: 'retried | once\nthen fine' },
  ],
  outputs: { network: { id: { value: 'vpc-1' } } },
};
/** What a merge recorded to dispatch a run. */
const dispatchOf = (environment: string, order: number, after: string[]) => ({ order, environment, action: 'deploy' as const, branch: 'main', workflow: 'envsync-run.yml', sha: REVISION, gates: [], after, labels: ['ubuntu-latest'], approvals: [] });
/** A status added to a deployment, after its latest was read (none there, or another). */
const status = (deployment: number, times = 1) => {
  nock(API).get(`${REPO}/deployments/${deployment}/statuses`).query({ per_page: 1 }).times(times).reply(200, []);
  nock(API).post(`${REPO}/deployments/${deployment}/statuses`).times(times).reply(201, (uri, body) => (record(uri, body), {}));
};
const zipOf = (files: Record<string, string>) => Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)]))));

let store: Store;
let app: ReturnType<typeof createEnvsyncApp>;
let probot: ReturnType<typeof testProbot>;
let sent: string[];

beforeEach(async () => {
  nock.disableNetConnect();
  store = await openStore({ url: ':memory:' });
  await store.followRepository('octo-org/octo-repo');
  app = createEnvsyncApp({ system: new SystemService(store), driftMinutes: 0 });
  probot = testProbot();
  await probot.load(app.appFn, { cwd: process.cwd(), addHandler: () => {} });
  sent = [];
  await store.createRun({ id: RUN, project: 'payments', environment: 'dev', action: 'deploy', revision: REVISION, status: 'queued', activities: [], outputs: {} }, { repo: 'octo-org/octo-repo', dispatch: dispatchOf('payments/dev', 0, []) });
  await store.updateTracking(RUN, { deploymentId: 55, dispatchRequestedAt: '2026-01-01T00:00:00.000Z', dispatchedAt: '2026-01-01T00:00:00.000Z' });
  nock(API).post('/app/installations/1/access_tokens').reply(201, { token: 'installation-token', expires_at: '2099-01-01T00:00:00Z' });
});
afterEach(() => stopAppCleanly(app, store));

const receive = async (payload: unknown, id = `d-${Math.random()}`) => {
  await probot.receive({ id, name: 'workflow_run', payload } as never);
  await app.running()!.queue.idle();
};
/** Until no job but the daily prune is pending: a retry waiting its backoff becomes due on its own. */
async function waitForRetries() {
  for (;;) {
    await app.running()!.queue.idle();
    // Due within 30 s: a retry's backoff; the daily prune and the follow-up of runs come later.
    if ((await store.jobs.list({ state: 'pending' })).every((j) => Date.parse(j.runAt) - Date.now() >= 30_000)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const record = (uri: string, body: unknown) => sent.push(`${uri.replace(REPO, '')} ${JSON.stringify(body)}`);

function mockCompletion(artifacts: unknown[], zip?: Buffer, merged = true) {
  const scope = nock(API)
    .get(`${REPO}/actions/runs/${WORKFLOW_RUN}/artifacts`)
    .query(true)
    .reply(200, { total_count: artifacts.length, artifacts })
    .get(`${REPO}/commits/${REVISION}/pulls`)
    .reply(200, merged ? [{ number: 9, state: 'closed', head: { sha: 'h'.repeat(40) }, base: { sha: 'b'.repeat(40), ref: 'main' }, user: { login: 'dev' } }] : []);
  if (zip) scope.get(`${REPO}/actions/artifacts/7/zip`).reply(200, zip, { 'content-type': 'application/zip' });
  status(55);
  if (merged) scope.get(`${REPO}/issues/9/comments`).query(true).reply(200, []).post(`${REPO}/issues/9/comments`).reply(201, (uri, body) => (record(uri, body), { id: 1 }));
  // No merged pull request: the summary goes on the commit the run ran.
  else scope.get(`${REPO}/commits/${REVISION}/comments`).query(true).reply(200, []).post(`${REPO}/commits/${REVISION}/comments`).reply(201, (uri, body) => (record(uri, body), { id: 2 }));
}

const NEXT = 'eeeeeeeeeeee-payments-staging-deploy';

/** A run of the same merge that waits for RUN, as startMergeRuns records it (deployment 56). */
async function holdNextRun() {
  await store.createRun({ id: NEXT, project: 'payments', environment: 'staging', action: 'deploy', revision: REVISION, status: 'waiting', activities: [], outputs: {} }, { repo: 'octo-org/octo-repo', dispatch: dispatchOf('payments/staging', 1, [RUN]) });
  await store.updateTracking(NEXT, { deploymentId: 56 });
}

describe('a runner workflow', () => {
  it('that starts puts the deployment in progress, with a link to the workflow run, and becomes the run\'s workflow run', async () => {
    status(55);
    await receive(event('requested'));
    expect(sent).toEqual([`/deployments/55/statuses {"state":"in_progress","description":"running on an Actions runner","log_url":"${LOG}"}`]);
    expect((await store.getRun(RUN))?.status).toBe('in_progress');
    expect((await store.getTracking(RUN))?.workflowRunId).toBe(WORKFLOW_RUN);
  });

  it('that duplicates the run\'s workflow run (a dispatch repeated after its answer was lost) is cancelled, and records nothing', async () => {
    await store.updateTracking(RUN, { workflowRunId: 1234 });
    nock(API).post(`${REPO}/actions/runs/${WORKFLOW_RUN}/cancel`).reply(202, (uri) => (record(uri, ''), {}));
    await receive(event('requested'));
    expect(sent).toEqual([`/actions/runs/${WORKFLOW_RUN}/cancel ""`]);
    expect((await store.getRun(RUN))?.status).toBe('queued');
  });

  it('that completes is recorded from its results artifact, and summarized on the deployment and the merged pull request', async () => {
    mockCompletion([{ id: 7, name: `envsync-results-${RUN}`, expired: false }], zipOf({ 'envsync-results.json': JSON.stringify(RESULTS) }));
    await receive(event('completed'));
    const run = await store.getRun(RUN);
    expect(run).toMatchObject({ status: 'success', activities: RESULTS.activities, outputs: RESULTS.outputs });
    expect(run?.finishedAt).not.toBeNull();
    expect(sent).toEqual([
      `/deployments/55/statuses {"state":"success","description":"deploy of payments/dev: success","log_url":"${LOG}"}`,
      `/issues/9/comments ${JSON.stringify({
        body: [
          '### envsync deploy of `payments/dev`: success',
          '',
          `Started by a Git change · revision \`${REVISION}\``,
          '',
          '| status | activity | type | time | reason |',
          '| --- | --- | --- | --- | --- |',
          '| ✅ success | `resource/network/apply` | stage | 2.5 s |  |',
          '| ✅ success | `hook/onSuccess/smoke-test` | http | 0.1 s | retried \\| once then fine |',
          '',
          '```mermaid',
          'flowchart TD',
          '  a0["resource/network/apply"]',
          '  a1("hook/onSuccess/smoke-test (http)")',
          '  a0 -.->|on success| a1',
          '  class a0,a1 success',
          '  classDef success fill:#dafbe1,stroke:#1a7f37',
          '```',
          '',
          `[Workflow run](${LOG})`,
          `<!-- envsync:run ${RUN} -->`,
          '',
        ].join('\n'),
      })}`,
    ]);
  });

  it('that uploaded no results fails the run and says so', async () => {
    mockCompletion([{ id: 8, name: 'something-else', expired: false }], undefined, false);
    await receive(event('completed', undefined, 'failure'));
    expect((await store.getRun(RUN))?.status).toBe('failure');
    expect(sent).toEqual([
      `/deployments/55/statuses {"state":"failure","description":"the runner uploaded no results","log_url":"${LOG}"}`,
      `/commits/${REVISION}/comments ${JSON.stringify({ body: `### envsync deploy of \`payments/dev\`: failure\n\nStarted by a Git change: the runner uploaded no results; see the workflow run.\n\n[Workflow run](${LOG})\n<!-- envsync:run ${RUN} -->\n` })}`,
    ]);
  });

  it('whose results name another environment does not record them', async () => {
    mockCompletion([{ id: 7, name: `envsync-results-${RUN}`, expired: false }], zipOf({ 'envsync-results.json': JSON.stringify({ ...RESULTS, environment: 'prod' }) }), false);
    await receive(event('completed'));
    expect(await store.getRun(RUN)).toMatchObject({ status: 'failure', activities: [], outputs: {} });
    expect(sent[0]).toContain('"description":"the results are of deploy payments/prod, not of this run"');
  });

  it('cancelled without results is a cancelled run and an errored deployment', async () => {
    mockCompletion([], undefined, false);
    await receive(event('completed', undefined, 'cancelled'));
    expect((await store.getRun(RUN))?.status).toBe('cancelled');
    expect(sent[0]).toContain('"state":"error"');
  });

  it('that envsync did not start changes nothing and asks GitHub nothing', async () => {
    nock.cleanAll(); // not even a token is needed: no job is made for another workflow's run
    await receive(event('completed', 'CI on main'));
    expect((await store.jobs.list()).filter((j) => j.task !== 'prune')).toEqual([]);
    await receive(event('completed', 'envsync deploy payments/dev (run someone-elses-run)'));
    expect(sent).toEqual([]);
  });

  it('completed again after its results were recorded finishes what was left undone, once: the deployment status and the summary', async () => {
    // An earlier attempt recorded the results and died before it told GitHub.
    await store.updateTracking(RUN, { workflowRunId: WORKFLOW_RUN });
    await store.updateRun(RUN, { status: 'success', activities: RESULTS.activities, outputs: RESULTS.outputs, finishedAt: '2026-01-01T00:00:00.000Z' });
    mockCompletion([{ id: 7, name: `envsync-results-${RUN}`, expired: false }], zipOf({ 'envsync-results.json': JSON.stringify(RESULTS) }));
    await receive(event('completed'));
    expect(sent.map((r) => r.split(' ')[0])).toEqual(['/deployments/55/statuses', '/issues/9/comments']);
    expect((await store.getRun(RUN))?.finishedAt).toBe('2026-01-01T00:00:00.000Z');
    const summary = (JSON.parse(sent[1]!.slice('/issues/9/comments '.length)) as { body: string }).body;

    // And once more: everything is there already, so nothing is written.
    sent = [];
    nock(API)
      .get(`${REPO}/actions/runs/${WORKFLOW_RUN}/artifacts`)
      .query(true)
      .reply(200, { total_count: 1, artifacts: [{ id: 7, name: `envsync-results-${RUN}`, expired: false }] })
      .get(`${REPO}/actions/artifacts/7/zip`)
      .reply(200, zipOf({ 'envsync-results.json': JSON.stringify(RESULTS) }), { 'content-type': 'application/zip' })
      .get(`${REPO}/deployments/55/statuses`)
      .query({ per_page: 1 })
      .reply(200, [{ state: 'success', description: 'deploy of payments/dev: success' }])
      .get(`${REPO}/commits/${REVISION}/pulls`)
      .reply(200, [{ number: 9, state: 'closed', head: { sha: 'h'.repeat(40) }, base: { sha: 'b'.repeat(40), ref: 'main' }, user: { login: 'dev' } }])
      .get(`${REPO}/issues/9/comments`)
      .query(true)
      .reply(200, [{ id: 1, body: summary, user: { type: 'Bot' } }]);
    await receive(event('completed'));
    expect(sent).toEqual([]);
  });

  it('that succeeds dispatches the run of the same merge that waited for it', async () => {
    await holdNextRun();
    mockCompletion([{ id: 7, name: `envsync-results-${RUN}`, expired: false }], zipOf({ 'envsync-results.json': JSON.stringify(RESULTS) }), false);
    nock(API)
      .post(`${REPO}/actions/workflows/envsync-run.yml/dispatches`)
      .reply(204, (uri, body) => (record(uri, body), ''));
    status(56);
    await receive(event('completed'));
    expect(sent.slice(1, -1)).toEqual([
      `/actions/workflows/envsync-run.yml/dispatches {"ref":"main","inputs":{"environment":"payments/staging","action":"deploy","sha":"${REVISION}","approved":"","runs-on":"[\\"ubuntu-latest\\"]","run-id":"${NEXT}","package":"@envsync/cli@${packageVersion()}"}}`,
      '/deployments/56/statuses {"state":"queued","description":"dispatched to envsync-run.yml","log_url":"https://github.com/octo-org/octo-repo/actions/workflows/envsync-run.yml"}',
    ]);
    expect((await store.getRun(NEXT))?.status).toBe('queued');
  });

  it('that fails leaves the run that waited for it not run, and says why', async () => {
    await holdNextRun();
    mockCompletion([{ id: 7, name: `envsync-results-${RUN}`, expired: false }], zipOf({ 'envsync-results.json': JSON.stringify({ ...RESULTS, status: 'failure' }) }), false);
    status(56);
    await receive(event('completed', undefined, 'failure'));
    expect(sent.at(-2)).toBe('/deployments/56/statuses {"state":"error","description":"not run: payments/dev did not succeed"}');
    // Released before the summary is posted: a summary GitHub refused could not hold it back.
    expect(sent.at(-1)).toMatch(/^\/commits\/e{40}\/comments /);
    expect(await store.getRun(NEXT)).toMatchObject({ status: 'not_run', reason: 'payments/dev did not succeed' });
  });

  it('with 1,000 activities and a 70,000-character failure reason is summarized within GitHub\'s limit, saying what was left out, after the run that waited for it was released', async () => {
    await holdNextRun();
    const huge = {
      ...RESULTS,
      activities: Array.from({ length: 1000 }, (_, i) => ({ id: `resource/r${i}/apply`, status: 'success', attempts: 1, startedAt: 0, finishedAt: 1000, type: 'stage', dependsOn: [], reason: i === 0 ? 'x'.repeat(70_000) : `retried once: ${'connection reset by peer, '.repeat(4)}` })),
    };
    mockCompletion([{ id: 7, name: `envsync-results-${RUN}`, expired: false }], zipOf({ 'envsync-results.json': JSON.stringify(huge) }));
    nock(API).post(`${REPO}/actions/workflows/envsync-run.yml/dispatches`).reply(204, (uri, body) => (record(uri, body), ''));
    status(56);
    await receive(event('completed'));
    expect(sent.map((r) => r.split(' ')[0])).toEqual(['/deployments/55/statuses', '/actions/workflows/envsync-run.yml/dispatches', '/deployments/56/statuses', '/issues/9/comments']);
    const { body } = JSON.parse(sent.at(-1)!.slice('/issues/9/comments '.length)) as { body: string };
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/\n\d+ more activities not shown: the job summary of the workflow run has every row\.\n/);
    expect(body).toContain('… (69000 more characters)');
    expect(body.endsWith(`[Workflow run](${LOG})\n<!-- envsync:run ${RUN} -->\n`)).toBe(true);
  });

  it('whose summary GitHub refuses still releases the run that waited for it, and dispatches it once when the job is retried', async () => {
    await holdNextRun();
    const scope = nock(API)
      .get(`${REPO}/actions/runs/${WORKFLOW_RUN}/artifacts`)
      .query(true)
      .times(2)
      .reply(200, { total_count: 1, artifacts: [{ id: 7, name: `envsync-results-${RUN}`, expired: false }] })
      .get(`${REPO}/actions/artifacts/7/zip`)
      .times(2)
      .reply(200, zipOf({ 'envsync-results.json': JSON.stringify(RESULTS) }), { 'content-type': 'application/zip' })
      .get(`${REPO}/commits/${REVISION}/pulls`)
      .times(2)
      .reply(200, [{ number: 9, state: 'closed', head: { sha: 'h'.repeat(40) }, base: { sha: 'b'.repeat(40), ref: 'main' }, user: { login: 'dev' } }])
      .get(`${REPO}/issues/9/comments`)
      .query(true)
      .times(2)
      .reply(200, [])
      .post(`${REPO}/issues/9/comments`)
      .reply(422, { message: 'Validation Failed' })
      .post(`${REPO}/issues/9/comments`)
      .reply(201, (uri, body) => (record(uri, body), { id: 1 }))
      .post(`${REPO}/actions/workflows/envsync-run.yml/dispatches`)
      .reply(204, (uri, body) => (record(uri, body), ''));
    status(55);
    status(56);
    // The retry reads the statuses again: they say what they said.
    nock(API).get(`${REPO}/deployments/55/statuses`).query({ per_page: 1 }).reply(200, [{ state: 'success', description: 'deploy of payments/dev: success' }]);
    nock(API).get(`${REPO}/deployments/56/statuses`).query({ per_page: 1 }).reply(200, [{ state: 'queued', description: 'dispatched to envsync-run.yml' }]);
    await receive(event('completed'));
    expect((await store.getRun(NEXT))?.status).toBe('queued');
    await waitForRetries();
    expect(sent.map((r) => r.split(' ')[0])).toEqual(['/deployments/55/statuses', '/actions/workflows/envsync-run.yml/dispatches', '/deployments/56/statuses', '/issues/9/comments']);
    expect(app.running()!.failures.splice(0).map((f) => f.task)).toEqual(['follow-workflow-run']);
    expect(scope.isDone()).toBe(true);
  });

  it('redelivered is followed once', async () => {
    status(55);
    await receive(event('requested'), 'same');
    await receive(event('requested'), 'same');
    expect(sent).toHaveLength(1);
  });
});
