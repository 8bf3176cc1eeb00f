// The app following a runner workflow through workflow_run events (real payload shapes, through
// Probot, on GitHub in memory): the deployment goes in progress, then the results artifact is read
// back into the store, the deployment gets its final status and the merged pull request a summary;
// runs it did not start are ignored.
import examples from '@octokit/webhooks-examples';
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryPort } from '../../src/github/memory-port.js';
import { openStore, type Store } from '../../src/system/store.js';
import { packageVersion } from '../../src/version.js';
import { stopAppCleanly } from '../helpers/app-teardown.js';
import { failFirst, startMemoryApp, type MemoryApp } from '../helpers/memory-app.js';

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
const zipOf = (files: Record<string, string>) => zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)])));

let store: Store;
let port: MemoryPort;
let running: MemoryApp;

/** The deployment a merge made for a run: its id, environment and run. */
const deployment = (id: number, environment: string, runId: string) => port.deployments.push({ id, ref: REVISION, environment, description: `envsync deploy of ${environment}`, payload: { runId }, statuses: [] });
const statusesOf = (id: number) => port.deployments.find((d) => d.id === id)!.statuses;

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  await store.followRepository('octo-org/octo-repo');
  port = new MemoryPort();
  running = await startMemoryApp(store, port);
  // The run, dispatched and shown as deployment 55; its workflow run, as GitHub has it.
  await store.createRun({ id: RUN, project: 'payments', environment: 'dev', action: 'deploy', revision: REVISION, status: 'queued', activities: [], outputs: {} }, { repo: 'octo-org/octo-repo', dispatch: dispatchOf('payments/dev', 0, []) });
  await store.updateTracking(RUN, { deploymentId: 55, dispatchRequestedAt: '2026-01-01T00:00:00.000Z', dispatchedAt: '2026-01-01T00:00:00.000Z' });
  deployment(55, 'payments/dev', RUN);
  port.workflowRuns.push({ id: WORKFLOW_RUN, status: 'in_progress', conclusion: null, displayTitle: `envsync deploy payments/dev (run ${RUN})`, htmlUrl: LOG });
});
afterEach(() => stopAppCleanly(running.app, store));

const receive = (payload: unknown, id?: string) => running.receive('workflow_run', payload, id);

/** What the runner uploaded, and whether REVISION merged pull request #9. */
function completion(artifacts: { id: number; name: string; zip?: Uint8Array }[], merged = true) {
  for (const { zip = new Uint8Array(), ...artifact } of artifacts) port.artifacts.push({ ...artifact, run: WORKFLOW_RUN, zip });
  if (merged) port.pullRequests.push({ number: 9, state: 'closed', headSha: 'h'.repeat(40), baseSha: 'b'.repeat(40), baseRef: 'main', author: 'dev', mergeCommitSha: REVISION });
}
/** The run's results artifact, holding `body`. */
const results = (body: object = RESULTS) => [{ id: 7, name: `envsync-results-${RUN}`, zip: zipOf({ 'envsync-results.json': JSON.stringify(body) }) }];
/** The comments left, as `ON: BODY`. */
const comments = () => port.comments.map((c) => `${'pullRequest' in c.on ? `#${c.on.pullRequest}` : c.on.commit}: ${c.body}`);

const NEXT = 'eeeeeeeeeeee-payments-staging-deploy';

/** A run of the same merge that waits for RUN, as startMergeRuns records it (deployment 56). */
async function holdNextRun() {
  await store.createRun({ id: NEXT, project: 'payments', environment: 'staging', action: 'deploy', revision: REVISION, status: 'waiting', activities: [], outputs: {} }, { repo: 'octo-org/octo-repo', dispatch: dispatchOf('payments/staging', 1, [RUN]) });
  await store.updateTracking(NEXT, { deploymentId: 56 });
  deployment(56, 'payments/staging', NEXT);
}

describe('a runner workflow', () => {
  it('that starts puts the deployment in progress, with a link to the workflow run, and becomes the run\'s workflow run', async () => {
    await receive(event('requested'));
    expect(statusesOf(55)).toEqual([{ state: 'in_progress', description: 'running on an Actions runner', logUrl: LOG }]);
    expect(port.calls).toEqual(['status payments/dev in_progress running on an Actions runner']);
    expect((await store.getRun(RUN))?.status).toBe('in_progress');
    expect((await store.getTracking(RUN))?.workflowRunId).toBe(WORKFLOW_RUN);
  });

  it('that duplicates the run\'s workflow run (a dispatch repeated after its answer was lost) is cancelled, and records nothing', async () => {
    await store.updateTracking(RUN, { workflowRunId: 1234 });
    await receive(event('requested'));
    expect(port.calls).toEqual([`cancel ${WORKFLOW_RUN}`]);
    expect(port.workflowRuns[0]).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    expect((await store.getRun(RUN))?.status).toBe('queued');
  });

  it('that completes is recorded from its results artifact, and summarized on the deployment and the merged pull request', async () => {
    completion(results());
    await receive(event('completed'));
    const run = await store.getRun(RUN);
    expect(run).toMatchObject({ status: 'success', activities: RESULTS.activities, outputs: RESULTS.outputs });
    expect(run?.finishedAt).not.toBeNull();
    expect(statusesOf(55)).toEqual([{ state: 'success', description: 'deploy of payments/dev: success', logUrl: LOG }]);
    expect(comments()).toEqual([
      `#9: ${[
        '### envsync deploy of `payments/dev`: success',
        '',
        `Started by a Git change · revision \`${REVISION}\``,
        '',
        '2 activities in 2.6 s: 2 succeeded.',
        '',
        '<details><summary>2 succeeded</summary>',
        '',
        '| status | activity | type | time | reason |',
        '| --- | --- | --- | --- | --- |',
        '| ✅ success | `resource/network/apply` | stage | 2.5 s |  |',
        '| ✅ success | `hook/onSuccess/smoke-test` | http |  | retried \\| once then fine |',
        '',
        '</details>',
        '',
        '```mermaid',
        'flowchart LR',
        '  subgraph r0 ["network"]',
        '    a0["apply"]',
        '  end',
        '  a1("hook/onSuccess/smoke-test (http)")',
        '  a0 -.->|on success| a1',
        '  class a0,a1 success',
        '  classDef success fill:#dafbe1,stroke:#1a7f37',
        '```',
        '',
        `[Workflow run](${LOG})`,
        `<!-- envsync:run ${RUN} -->`,
        '',
      ].join('\n')}`,
    ]);
    expect(port.calls).toEqual(['status payments/dev success deploy of payments/dev: success', 'comment #9 created']);
  });

  it('that uploaded no results fails the run and says so', async () => {
    completion([{ id: 8, name: 'something-else' }], false);
    await receive(event('completed', undefined, 'failure'));
    expect((await store.getRun(RUN))?.status).toBe('failure');
    expect(statusesOf(55)).toEqual([{ state: 'failure', description: 'the runner uploaded no results', logUrl: LOG }]);
    expect(comments()).toEqual([`${REVISION}: ### envsync deploy of \`payments/dev\`: failure\n\nStarted by a Git change: the runner uploaded no results; see the workflow run.\n\n[Workflow run](${LOG})\n<!-- envsync:run ${RUN} -->\n`]);
  });

  it('whose results name another environment does not record them', async () => {
    completion(results({ ...RESULTS, environment: 'prod' }), false);
    await receive(event('completed'));
    expect(await store.getRun(RUN)).toMatchObject({ status: 'failure', activities: [], outputs: {} });
    expect(statusesOf(55)[0]!.description).toBe('the results are of deploy payments/prod, not of this run');
  });

  it('cancelled without results is a cancelled run and an errored deployment', async () => {
    completion([], false);
    await receive(event('completed', undefined, 'cancelled'));
    expect((await store.getRun(RUN))?.status).toBe('cancelled');
    expect(statusesOf(55).map((s) => s.state)).toEqual(['error']);
  });

  it('that envsync did not start changes nothing and asks GitHub nothing', async () => {
    await receive(event('completed', 'CI on main'));
    // No job is made for another workflow's run.
    expect((await store.jobs.list()).filter((j) => j.task !== 'prune')).toEqual([]);
    await receive(event('completed', 'envsync deploy payments/dev (run someone-elses-run)'));
    expect([port.calls, port.reads]).toEqual([[], []]);
  });

  it('completed again after its results were recorded finishes what was left undone, once: the deployment status and the summary', async () => {
    // An earlier attempt recorded the results and died before it told GitHub.
    await store.updateTracking(RUN, { workflowRunId: WORKFLOW_RUN });
    await store.updateRun(RUN, { status: 'success', activities: RESULTS.activities, outputs: RESULTS.outputs, finishedAt: '2026-01-01T00:00:00.000Z' });
    completion(results());
    await receive(event('completed'));
    expect(port.calls).toEqual(['status payments/dev success deploy of payments/dev: success', 'comment #9 created']);
    expect((await store.getRun(RUN))?.finishedAt).toBe('2026-01-01T00:00:00.000Z');
    const [summary] = comments();

    // And once more: everything is there already, so nothing is written.
    await receive(event('completed'));
    expect(port.calls).toHaveLength(2);
    expect(comments()).toEqual([summary]);
  });

  it('that succeeds dispatches the run of the same merge that waited for it', async () => {
    await holdNextRun();
    completion(results(), false);
    await receive(event('completed'));
    expect(port.dispatches.map(({ workflow, ref, inputs }) => ({ workflow, ref, inputs }))).toEqual([
      {
        workflow: 'envsync-run.yml',
        ref: 'main',
        inputs: { environment: 'payments/staging', action: 'deploy', sha: REVISION, approved: '', 'runs-on': '["ubuntu-latest"]', 'run-id': NEXT, package: `@envsync/cli@${packageVersion()}` },
      },
    ]);
    expect(statusesOf(56)).toEqual([{ state: 'queued', description: 'dispatched to envsync-run.yml', logUrl: port.webUrl('octo-org/octo-repo/actions/workflows/envsync-run.yml') }]);
    expect(port.calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['status payments/dev', 'dispatch envsync-run.yml@main', 'status payments/staging', `comment ${REVISION}`]);
    expect((await store.getRun(NEXT))?.status).toBe('queued');
  });

  it('that fails leaves the run that waited for it not run, and says why', async () => {
    await holdNextRun();
    completion(results({ ...RESULTS, status: 'failure' }), false);
    await receive(event('completed', undefined, 'failure'));
    expect(port.calls.at(-2)).toBe('status payments/staging error not run: payments/dev did not succeed');
    // Released before the summary is posted: a summary GitHub refused could not hold it back.
    expect(port.calls.at(-1)).toBe(`comment ${REVISION} created`);
    expect(port.dispatches).toEqual([]);
    expect(await store.getRun(NEXT)).toMatchObject({ status: 'not_run', reason: 'payments/dev did not succeed' });
  });

  it('with 1,000 activities and a 70,000-character failure reason is summarized within GitHub\'s limit, saying what was left out, after the run that waited for it was released', async () => {
    await holdNextRun();
    const huge = {
      ...RESULTS,
      activities: Array.from({ length: 1000 }, (_, i) => ({ id: `resource/r${i}/apply`, status: 'success', attempts: 1, startedAt: 0, finishedAt: 1000, type: 'stage', dependsOn: [], reason: i === 0 ? 'x'.repeat(70_000) : `retried once: ${'connection reset by peer, '.repeat(4)}` })),
    };
    completion(results(huge));
    await receive(event('completed'));
    expect(port.calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['status payments/dev', 'dispatch envsync-run.yml@main', 'status payments/staging', 'comment #9']);
    const body = port.comments[0]!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/\n\d+ more activities not shown: the job summary of the workflow run has every row\.\n/);
    expect(body).toContain('… (69000 more characters)');
    expect(body.endsWith(`[Workflow run](${LOG})\n<!-- envsync:run ${RUN} -->\n`)).toBe(true);
  });

  it('whose summary GitHub refuses still releases the run that waited for it, and dispatches it once when the job is retried', async () => {
    await holdNextRun();
    completion(results());
    failFirst(port, 'comment', '#9 created', { status: 422, message: 'Validation Failed' });
    await running.deliver('workflow_run', event('completed'));
    expect(running.app.running()!.failures.splice(0).map((f) => f.task)).toEqual(['follow-workflow-run']);
    expect((await store.getRun(NEXT))?.status).toBe('queued');
    expect(port.comments).toEqual([]);
    // The retry finds the statuses saying what they said, and the run dispatched: it only comments.
    await running.settled();
    expect(port.calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['status payments/dev', 'dispatch envsync-run.yml@main', 'status payments/staging', 'comment #9']);
    expect(port.dispatches).toHaveLength(1);
  });

  it('redelivered is followed once', async () => {
    await receive(event('requested'), 'same');
    await receive(event('requested'), 'same');
    expect(port.calls).toHaveLength(1);
    expect(statusesOf(55)).toHaveLength(1);
  });
});
