// The app on push, webhooks through Probot, on GitHub in memory: the sync branch's revision is applied
// to the system (queued, after the webhook is answered) with its runs as deployments and dispatches,
// a redelivered push changes nothing, other branches are ignored; the API is mounted.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import examples from '@octokit/webhooks-examples';
import type { ApplicationFunctionOptions } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/version.js';
import { CONFIG_PATH } from '../../src/config/config.js';
import { MemoryPort } from '../../src/github/memory-port.js';
import { applyPush, type PushEvent } from '../../src/flows/merge/apply-push.js';
import { SystemService } from '../../src/system/service.js';
import { hashToken } from '../../src/app/api.js';
import { openStore, type Store } from '../../src/system/store.js';
import type { SourceFile } from '../../src/specs/source.js';
import { exampleFiles, scenarioFiles } from '../golden/scenarios.js';
import { contentsOf } from '../helpers/github-fixtures.js';
import { sources } from '../helpers/repo.js';
import { failFirst, startMemoryApp, type MemoryApp } from '../helpers/memory-app.js';
import { stopAppCleanly } from '../helpers/app-teardown.js';

/** A configuration of defaults only: the repository is a config repository. */
const DEFAULTS = '# envsync: the defaults\n';

type Example = { name: string; examples: Record<string, unknown>[] };
const pushExample = () => structuredClone((examples as unknown as Example[]).find((e) => e.name === 'push')!.examples[4]!) as {
  ref: string;
  after: string;
  repository: { default_branch: string; full_name: string };
  installation: { id: number };
};

/** The app's own account, as the port commits. */
const APP = { name: 'envsync-test[bot]', email: '9+envsync-test[bot]@users.noreply.github.com' };

let store: Store;
type Handler = Parameters<ApplicationFunctionOptions['addHandler']>[0];
let handlers: Handler[];
let port: MemoryPort;
let running: MemoryApp;

beforeEach(async () => {
  store = await openStore({ url: ':memory:', queue: { pollMs: 50 } });
  await store.followRepository('Codertocat/Hello-World');
  handlers = [];
  port = new MemoryPort({ identity: APP, defaultBranch: 'master' });
  running = await startMemoryApp(store, port, { apiTokens: [{ name: 'ci', sha256: hashToken('secret-token'), projects: { '*': 'read' } }], addHandler: (h) => handlers.push(h) });
});
afterEach(() => stopAppCleanly(running.app, store));

const PR_HEAD = 'c'.repeat(40);
const GATE = 'hook/onInit/change-approval';

/** The files of a revision with its configuration. */
const treeOf = (files: readonly SourceFile[], config = DEFAULTS) => ({ ...contentsOf(files), [CONFIG_PATH]: config });

/** `after` made straight on master, holding the example repository: a push that merged no pull request. */
function committed(after: string, config?: string) {
  port.commit({ branch: 'master', sha: after, tree: treeOf(exampleFiles(), config) });
}

/**
 * `after` made on master by merging pull request #2 (head PR_HEAD, holding the example repository)
 * into a master that held only the configuration.
 */
function merged(after: string, config?: string) {
  const base = port.commit({ branch: 'master', tree: { [CONFIG_PATH]: config ?? DEFAULTS } });
  port.commit({ branch: 'feature', parents: [base], sha: PR_HEAD, tree: treeOf(exampleFiles(), config) });
  port.openPullRequest({ number: 2, head: 'feature', base: 'master' });
  port.mergePullRequest(2, { sha: after });
}

const approveMerged = () => store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 2, sha: `${PR_HEAD}:master`, gate: GATE, user: 'reviewer', decision: 'approve' });
const runId = (after: string, env: string) => `${after.slice(0, 12)}-payments.${env}-deploy`;
const deploymentOf = (environment: string) => port.deployments.find((d) => d.environment === `payments/${environment}`)!;
const dispatched = () => port.dispatches.map((d) => d.inputs.environment);
const receive = (payload: unknown, id = 'delivery-1') => running.receive('push', payload, id);

describe('a push', () => {
  it('to the sync branch applies that revision to the system, after the webhook is answered', async () => {
    const payload = pushExample();
    committed(payload.after);
    await receive(payload);
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(payload.after);
    expect(await store.listResources()).toHaveLength(15);
    expect((await store.listSyncEvents()).every((e) => e.trigger === 'webhook' && e.revision === payload.after)).toBe(true);
    expect(await store.getRepository('Codertocat/Hello-World')).toMatchObject({ installationId: payload.installation.id, defaultBranch: 'master', projects: ['*'], appliedRevision: payload.after });
    expect(port.reads).toEqual([`getFile ${CONFIG_PATH}@master`, `getTarball ${payload.after}`, `pullRequestsOfCommit ${payload.after}`]);
  });

  /** A push to the sync branch by a bot account, its runs recorded; the app's own account is envsync-test[bot]. */
  async function pushedByBot(login: string) {
    const payload = pushExample() as ReturnType<typeof pushExample> & { sender: { login: string; type: string } };
    payload.sender = { ...payload.sender, login, type: 'Bot' };
    committed(payload.after);
    await receive(payload);
    return (await store.listRuns()).map((r) => [r.environment, r.trigger, r.actor]).sort();
  }

  it('made by the app itself (a system change committed to the sync branch) starts its runs as internal', async () => {
    expect(await pushedByBot('envsync-test[bot]')).toEqual([
      ['dev', 'internal', 'envsync-test[bot]'],
      ['staging', 'internal', 'envsync-test[bot]'],
    ]);
    expect(deploymentOf('dev').description).toBe('envsync deploy of payments/dev: started by a system change, committed by envsync-test[bot]');
  });

  it('by another app\'s bot starts its runs as a Git change', async () => {
    expect(await pushedByBot('renovate[bot]')).toEqual([
      ['dev', 'webhook', 'renovate[bot]'],
      ['staging', 'webhook', 'renovate[bot]'],
    ]);
  });

  it('that merges environments holds each run whose approval gate no one approved, as a queued deployment that says why', async () => {
    const payload = pushExample();
    committed(payload.after);
    await receive(payload);
    const waiting = { state: 'queued', description: `waiting for approval of ${GATE}: /approve on the merged pull request` };
    expect(port.deployments.map(({ id: _id, ...d }) => d)).toEqual(
      ['dev', 'staging'].map((env) => ({
        ref: payload.after,
        environment: `payments/${env}`,
        description: `envsync deploy of payments/${env}: started by a Git change, pushed by Codertocat`,
        payload: { runId: runId(payload.after, env), action: 'deploy', trigger: 'webhook' },
        statuses: [waiting],
      })),
    );
    expect(port.dispatches).toEqual([]);
    expect((await store.listRuns()).map((r) => `${r.id} ${r.status}`).sort()).toEqual([`${runId(payload.after, 'dev')} waiting`, `${runId(payload.after, 'staging')} waiting`]);
  });

  it('dispatches the runner workflow for each run approved on the merged pull request, with the runner labels of its agents', async () => {
    const payload = pushExample();
    merged(payload.after, 'runs:\n  labels:\n    linux-large: [self-hosted, large]\n');
    await approveMerged();
    await receive(payload);
    const inputs = (env: string, runsOn: string) => ({ environment: `payments/${env}`, action: 'deploy', sha: payload.after, approved: GATE, 'runs-on': runsOn, 'run-id': runId(payload.after, env), package: `@envsync/cli@${packageVersion()}` });
    expect(port.dispatches.map(({ workflow, ref, inputs }) => ({ workflow, ref, inputs }))).toEqual([
      { workflow: 'envsync-run.yml', ref: 'master', inputs: inputs('dev', '["ubuntu-latest"]') },
      { workflow: 'envsync-run.yml', ref: 'master', inputs: inputs('staging', '["self-hosted","large"]') },
    ]);
    expect(deploymentOf('staging').statuses.at(-1)).toEqual({ state: 'queued', description: 'dispatched to envsync-run.yml', logUrl: port.webUrl('Codertocat/Hello-World/actions/workflows/envsync-run.yml') });
    expect((await store.getRun(runId(payload.after, 'staging')))?.status).toBe('queued');
  });

  it('failing half-way is retried and resumes: no run, deployment or dispatch is made twice', async () => {
    const payload = pushExample();
    merged(payload.after);
    await approveMerged();
    failFirst(port, 'dispatch', runId(payload.after, 'staging'), { status: 500, message: 'Server Error' });
    await running.deliver('push', payload, 'delivery-1');
    expect(running.app.running()!.failures.splice(0).map((f) => f.task)).toEqual(['apply-push']);
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBeUndefined(); // applied only once every run has started
    await running.settled();
    const [dev, staging] = [runId(payload.after, 'dev'), runId(payload.after, 'staging')];
    expect(port.calls).toEqual([
      `deployment payments/dev ${dev}`,
      `deployment payments/staging ${staging}`,
      `dispatch envsync-run.yml@master ${dev}`,
      'status payments/dev queued dispatched to envsync-run.yml',
      // The retry: the staging dispatch was asked for, so the workflow run it may have started is
      // looked for first; there is none, so it is dispatched again.
      `dispatch envsync-run.yml@master ${staging}`,
      'status payments/staging queued dispatched to envsync-run.yml',
    ]);
    expect(port.reads.filter((r) => r.startsWith('findWorkflowRun'))).toEqual([`findWorkflowRun envsync-run.yml … (run ${staging})`]);
    // The revision read the first time is not downloaded again.
    expect(port.reads.filter((r) => r.startsWith('getTarball'))).toEqual([`getTarball ${payload.after}`]);
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(payload.after);
    expect((await store.listRuns()).length).toBe(2);
  });

  it('whose dispatch GitHub refuses (a workflow from an older envsync init) is applied, the refused run not run saying what to do, the other dispatched', async () => {
    const payload = pushExample();
    merged(payload.after);
    await approveMerged();
    failFirst(port, 'dispatch', runId(payload.after, 'dev'), { status: 422, message: 'Unexpected inputs provided: ["package"]' }, Infinity);
    await receive(payload);
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(payload.after);
    const runs = Object.fromEntries((await store.listRuns()).map((r) => [r.environment, [r.status, r.reason]]));
    expect(runs).toEqual({ dev: ['not_run', expect.stringMatching(/^GitHub refused the dispatch of envsync-run.yml \(422: Unexpected inputs provided: \["package"\].*\): the workflow was written by an older envsync init; run envsync init --force and commit it$/)], staging: ['queued', null] });
    expect(port.calls.filter((c) => c.startsWith('status')).map((c) => c.split(' ').slice(1, 3).join(' '))).toEqual(['payments/dev error', 'payments/staging queued']);
    expect(dispatched()).toEqual(['payments/staging']);
  });

  it('of a revision the system already has starts nothing', async () => {
    const payload = pushExample();
    committed(payload.after);
    await receive(payload);
    const calls = [...port.calls];
    port.reads.length = 0;
    await receive(payload, 'delivery-2');
    // The configuration says which branch syncs; then the revision is known to be applied: no more.
    expect(port.reads).toEqual([`getFile ${CONFIG_PATH}@master`]);
    expect(port.calls).toEqual(calls);
    expect((await store.listRuns()).length).toBe(2);
  });

  it('of a revision whose root holds no projects/ is a finding, never an empty revision that deletes everything', async () => {
    const payload = pushExample();
    await new SystemService(store).applyRevision(exampleFiles(), 'a'.repeat(40), { trigger: 'webhook', actor: null });
    committed(payload.after, 'root: config\n');
    const outcome = await applyPush(port, new SystemService(store), payload as unknown as PushEvent);
    expect(outcome).toEqual({
      outcome: 'invalid',
      ignored: `revision ${payload.after} of master was not applied and started no run: .github/envsync.yml: the layout root "config" holds no projects/ folder, so this revision would hold no specs at all: fix root in .github/envsync.yml, or restore projects/`,
    });
    expect(await store.listResources()).toHaveLength(15);
    expect(port.calls).toEqual([]);
  });

  it('of a revision that claims a project another followed repository owns applies nothing, and names both', async () => {
    const payload = pushExample();
    await store.followRepository('Codertocat/Payments');
    await store.updateRepository('Codertocat/Payments', { projects: ['payments'] });
    committed(payload.after);
    const outcome = await applyPush(port, new SystemService(store), payload as unknown as PushEvent);
    expect(outcome).toEqual({
      outcome: 'invalid',
      ignored: `revision ${payload.after} of master was not applied and started no run: .github/envsync.yml: "*" claims projects that Codertocat/Payments owns ("payments" in its .github/envsync.yml): a project belongs to one config repository; remove it here or there`,
    });
    expect(await store.listResources()).toEqual([]);
    expect(port.calls).toEqual([]);
  });

  it('of a revision that does not validate applies nothing and starts no run, and is not a failure of the app', async () => {
    const payload = pushExample();
    const broken = exampleFiles().map((f) =>
      f.path === 'projects/payments/environments/dev.yaml' ? sources({ [f.path]: new TextDecoder().decode(f.content).replace('    value: "1"', '    value: "3"') })[0]! : f,
    );
    port.commit({ branch: 'master', sha: payload.after, tree: treeOf(broken) });
    await receive(payload);
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBeUndefined();
    expect(await store.listRuns()).toEqual([]);
    expect(running.app.running()!.failures).toEqual([]);
    expect(port.calls).toEqual([]);
    // What the log says: where the revision is wrong, and what to do.
    expect(await applyPush(port, new SystemService(store), payload as unknown as PushEvent)).toEqual({
      ignored: `revision ${payload.after} of master does not validate (1 error), so nothing was applied or run: projects/payments/environments/dev.yaml:18:12: variable "replicas" is "3", but EnvironmentTemplate "web-stack" restricts it to: "1", "2", "4": did you mean "1"?; fix it in a new commit on master`,
      outcome: 'invalid',
    });
    expect((await store.listPushes('Codertocat/Hello-World')).map((p) => p.outcome)).toEqual(['invalid', 'invalid']);
  });

  it('redelivered changes nothing and asks GitHub nothing', async () => {
    const payload = pushExample();
    committed(payload.after);
    await receive(payload);
    const [calls, reads] = [[...port.calls], [...port.reads]];
    await receive(payload);
    expect([port.calls, port.reads]).toEqual([calls, reads]);
    expect((await store.jobs.list()).filter((j) => j.task !== 'prune')).toEqual([]);
  });

  /**
   * The system at `previous`; the push brings two merges: #3 (head `firstHead`, merged first as
   * `firstMerge`, its push never came) and #2 (head PR_HEAD), which made `payload.after`.
   */
  async function twoMerges(payload: ReturnType<typeof pushExample>) {
    const previous = port.commit({ branch: 'master', sha: 'a'.repeat(40), tree: treeOf(exampleFiles()) });
    await new SystemService(store).applyRevision(exampleFiles(), previous, { trigger: 'webhook', actor: null }, { repo: 'Codertocat/Hello-World' });
    const firstHead = port.commit({ branch: 'docs', parents: [previous], sha: 'e'.repeat(40), files: { 'README.md': 'how to change an environment\n' } });
    port.commit({ branch: 'feature', parents: [previous], sha: PR_HEAD, tree: treeOf(scenarioFiles('template-edited-in-place')) });
    port.openPullRequest({ number: 3, head: 'docs', base: 'master' });
    port.openPullRequest({ number: 2, head: 'feature', base: 'master' });
    const firstMerge = port.mergePullRequest(3, { sha: 'd'.repeat(40) });
    port.mergePullRequest(2, { sha: payload.after });
    return { firstHead, firstMerge };
  }

  it('that brings two merges at once (the first one\'s push was missed) honours the approvals given on each merged pull request', async () => {
    const payload = pushExample();
    const { firstHead, firstMerge } = await twoMerges(payload);
    // #3 was approved; #2 was not.
    await store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 3, sha: `${firstHead}:master`, gate: GATE, user: 'reviewer', decision: 'approve' });
    await receive(payload);
    const runs = await store.listUnfinishedRuns('Codertocat/Hello-World');
    expect(runs.map((r) => r.tracking.dispatch.approvals)).toEqual([
      [{ number: 2, subject: `${PR_HEAD}:master` }, { number: 3, subject: `${firstHead}:master` }],
      [{ number: 2, subject: `${PR_HEAD}:master` }, { number: 3, subject: `${firstHead}:master` }],
    ]);
    // The merges are looked up, not the pull requests' own commits.
    expect(port.reads.filter((r) => r.startsWith('pullRequestsOfCommit'))).toEqual([`pullRequestsOfCommit ${firstMerge}`, `pullRequestsOfCommit ${payload.after}`]);
    expect(dispatched()).toEqual(['payments/dev', 'payments/staging']);
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(payload.after);
  });

  it('that brings two merges at once says where to approve when neither approved: on either pull request', async () => {
    const payload = pushExample();
    await twoMerges(payload);
    await receive(payload);
    expect(port.deployments.map((d) => d.statuses.map((s) => s.description))).toEqual([[`waiting for approval of ${GATE}: /approve on #2 or #3`], [`waiting for approval of ${GATE}: /approve on #2 or #3`]]);
    expect(port.dispatches).toEqual([]);
  });

  it('diverged from the applied revision, or naming one GitHub no longer knows, is applied when it is the branch\'s head (history was rewritten), and stale otherwise', async () => {
    const payload = pushExample();
    // The system applied `previous`; the push names `after`, made beside it on their common parent.
    const root = port.commit({ branch: 'master', tree: treeOf(exampleFiles()) });
    const previous = port.commit({ branch: 'master', parents: [root], files: { 'README.md': 'previous\n' } });
    await new SystemService(store).applyRevision(exampleFiles(), previous, { trigger: 'webhook', actor: null }, { repo: 'Codertocat/Hello-World' });
    port.commit({ branch: 'rewritten', parents: [root], sha: payload.after, files: {} });
    // Not the head (master is still at `previous`): stale, whatever the push says of itself.
    await receive(payload);
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(previous);
    // The head now (master force-pushed to `after`), though the push is not marked forced, and the
    // applied revision gone from GitHub (collected after the rewrite: 404): applied.
    port.branches.set('master', payload.after);
    port.commits.delete(previous);
    await receive(payload, 'delivery-2');
    expect(await store.getAppliedRevision('Codertocat/Hello-World')).toBe(payload.after);
    expect((await store.listPushes('Codertocat/Hello-World')).map((p) => `${p.outcome}: ${p.detail}`)).toEqual([
      'applied: applied (force-push: the branch was rewound or rewritten)',
      `stale: revision ${payload.after} is diverged from the applied ${previous} and is not the head of master, so nothing was applied or run`,
    ]);
  });

  it('to another branch is not applied, even when that branch\'s own configuration names it the sync branch', async () => {
    const payload = pushExample();
    payload.ref = 'refs/heads/feature';
    committed('f'.repeat(40));
    port.commit({ branch: 'feature', parents: ['f'.repeat(40)], sha: payload.after, files: { [CONFIG_PATH]: 'branch: feature\n' } });
    await receive(payload);
    // Only the default branch's configuration is read (a branch cannot name itself the sync branch).
    expect(port.reads).toEqual([`getFile ${CONFIG_PATH}@master`]);
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
