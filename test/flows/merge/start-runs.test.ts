// startMergeRuns on its own, on the in-memory GitHub: what a merge that deletes an environment starts,
// and what it does when the system has no earlier revision to run the destroy from.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRepositoryConfig } from '../../../src/config/config.js';
import { MemoryPort } from '../../../src/github/memory-port.js';
import { runIdOf, startMergeRuns } from '../../../src/flows/merge/start-runs.js';
import { advanceRuns } from '../../../src/flows/runs/advance-runs.js';
import { loadSpecs } from '../../../src/specs/load.js';
import { SystemService } from '../../../src/system/service.js';
import { openStore, type Store } from '../../../src/system/store.js';
import { exampleFiles } from '../../golden/scenarios.js';
import { dependencyChain, pathOf } from '../../engine/fixtures.js';
import { edit, type Files } from '../../engine/plan/repo.js';
import { sources } from '../../helpers/repo.js';

const repo = { owner: 'acme', repo: 'config' };
const MERGE = 'm'.repeat(40);
const PREVIOUS = 'p'.repeat(40);
let store: Store;
let port: MemoryPort;
/** The dispatches made, as `dispatch REF ENVIRONMENT ACTION SHA`. */
const dispatched = () => port.dispatches.map((d) => `dispatch ${d.ref} ${d.inputs.environment} ${d.inputs.action} ${d.inputs.sha}`);

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  port = new MemoryPort();
});
afterEach(() => store.close());

/** A revision as a push hands it over: validated by the system. */
const checked = (files: Parameters<SystemService['checkRevision']>[0]) => new SystemService(store).checkRevision(files, MERGE).loaded;
const withoutDev = () => exampleFiles().filter((f) => !f.path.endsWith('environments/dev.yaml'));
const input = (previousRevision: string | undefined) => ({
  repo,
  branch: 'main',
  revision: MERGE,
  before: loadSpecs(exampleFiles()),
  after: checked(withoutDev()),
  config: parseRepositoryConfig(undefined).config,
  previousRevision,
  approvals: [] as { number: number; subject: string }[],
  trigger: 'webhook' as const,
  actor: 'carol',
});
/** Merged as pull request #7, whose gate a reviewer approved. */
const approved = async () => {
  await store.recordApproval({ repo: 'acme/config', pullNumber: 7, sha: `${'h'.repeat(40)}:main`, gate: 'hook/onInit/change-approval', user: 'r', decision: 'approve' });
  return [{ number: 7, subject: `${'h'.repeat(40)}:main` }];
};

describe('a merge that deletes an environment', () => {
  it('dispatches its destroy at the revision that still has it, approved gates aside', async () => {
    // The destroy's approval gate: approved on no pull request, so the run waits.
    const started = await startMergeRuns(port, store, input(PREVIOUS));
    expect(started).toEqual([{ id: `${MERGE.slice(0, 12)}-payments.dev-destroy`, environment: 'payments/dev', action: 'destroy', state: { waitingFor: 'approval of hook/onInit/change-approval: /approve on the merged pull request' } }]);
    expect(port.calls).toEqual([`deployment payments/dev ${MERGE.slice(0, 12)}-payments.dev-destroy`, 'status payments/dev queued waiting for approval of hook/onInit/change-approval: /approve on the merged pull request']);
  });

  it('runs the destroy from the previous revision once approved, never from the merge that removed it', async () => {
    const started = await startMergeRuns(port, store, { ...input(PREVIOUS), approvals: await approved() });
    expect(started.map((s) => s.state)).toEqual(['dispatched']);
    expect(dispatched()).toEqual([`dispatch main payments/dev destroy ${PREVIOUS}`]);
  });

  it('waits, saying why, when the system has applied no revision to run the destroy from', async () => {
    const started = await startMergeRuns(port, store, { ...input(undefined), approvals: await approved() });
    expect(started.map((s) => s.state)).toEqual([{ waitingFor: 'a revision that still has the environment (the system has applied none)' }]);
    expect(dispatched()).toEqual([]);
  });

  it('cannot be given a revision with errors: checking it refuses it with the finding, so nothing runs', () => {
    const broken = exampleFiles().map((f) => (f.path.endsWith('environments/staging.yaml') ? { ...f, content: new TextEncoder().encode(new TextDecoder().decode(f.content).replace('name: web-stack', 'name: missing')) } : f));
    expect(() => checked(broken)).toThrow(expect.objectContaining({ status: 422, findings: [expect.objectContaining({ file: 'projects/payments/environments/staging.yaml', code: 'ref-not-found' })] }));
  });
});

describe('a newer merge of an environment whose run still waits', () => {
  it('supersedes that run, marked superseded (not failed): an /approve on the older pull request cannot deploy the older revision over the newer', async () => {
    // The older merge's destroy of dev waits for its approval.
    await startMergeRuns(port, store, input(PREVIOUS));
    const older = `${MERGE.slice(0, 12)}-payments.dev-destroy`;
    port.calls.length = 0;
    // A newer merge changes dev again (it is back, edited): its run supersedes the waiting one.
    const NEWER = 'n'.repeat(40);
    const newer = { ...input(PREVIOUS), revision: NEWER, before: loadSpecs(withoutDev()), after: new SystemService(store).checkRevision(exampleFiles(), NEWER).loaded };
    const started = await startMergeRuns(port, store, newer);
    const newerDev = `${NEWER.slice(0, 12)}-payments.dev-deploy`;
    expect(started.map((s) => s.environment)).toContain('payments/dev');
    expect(await store.getRun(older)).toMatchObject({ status: 'superseded', supersededBy: newerDev, reason: `superseded by run ${newerDev}, which runs the newer state of payments/dev` });
    expect(port.calls).toContain(`status payments/dev inactive superseded by run ${newerDev}, which runs the newer state of payments/dev`);
    expect((await store.listUnfinishedRuns('acme/config')).map((r) => r.run.revision)).toEqual(started.map(() => NEWER));
  });

  it('carries what the superseded run waited for: its gates, approvable on its pull request as well as the newer one', async () => {
    await startMergeRuns(port, store, { ...input(PREVIOUS), approvals: [{ number: 5, subject: 'older' }] });
    const NEWER = 'n'.repeat(40);
    const newer = { ...input(PREVIOUS), revision: NEWER, before: loadSpecs(withoutDev()), after: new SystemService(store).checkRevision(exampleFiles(), NEWER).loaded, approvals: [{ number: 9, subject: 'newer' }] };
    const started = await startMergeRuns(port, store, newer);
    const dev = started.find((s) => s.environment === 'payments/dev')!;
    expect(dev.state).toEqual({ waitingFor: 'approval of hook/onInit/change-approval: /approve on #9 or #5' });
    expect((await store.getTracking(dev.id))?.dispatch).toMatchObject({ gates: ['hook/onInit/change-approval'], approvals: [{ number: 9, subject: 'newer' }, { number: 5, subject: 'older' }] });
    // The older pull request's approval releases it.
    await store.recordApproval({ repo: 'acme/config', pullNumber: 5, sha: 'older', gate: 'hook/onInit/change-approval', user: 'r', decision: 'approve' });
    expect((await advanceRuns(port, store, repo, { run: dev.id })).map((s) => s.state)).toEqual(['dispatched']);
  });
});

describe('three quick merges of one environment', () => {
  it('run one after another: the first on GitHub, the second superseded by the third, which goes once the first finished', async () => {
    const revisions = ['1', '2', '3'].map((d) => d.repeat(40));
    const merge = (revision: string, value: string) => {
      const files = exampleFiles().map((f) => (f.path.endsWith('environments/staging.yaml') ? { ...f, content: new TextEncoder().encode(new TextDecoder().decode(f.content).replace('value: payments-sre', `value: ${value}`)) } : f));
      return startMergeRuns(port, store, { ...input(PREVIOUS), revision, before: loadSpecs(exampleFiles()), after: new SystemService(store).checkRevision(files, revision).loaded, approvals });
    };
    const approvals = await approved();
    const first = await merge(revisions[0]!, 'one');
    expect(first.map((s) => [s.environment, s.state])).toEqual([['payments/staging', 'dispatched']]);
    const second = await merge(revisions[1]!, 'two');
    expect(second.map((s) => [s.environment, s.state])).toEqual([['payments/staging', { waitingFor: `run ${first[0]!.id} of the same environment` }]]);
    const third = await merge(revisions[2]!, 'three');
    expect(third.map((s) => [s.environment, s.state])).toEqual([['payments/staging', { waitingFor: `run ${first[0]!.id} of the same environment` }]]);
    expect(await store.getRun(second[0]!.id)).toMatchObject({ status: 'superseded', supersededBy: third[0]!.id });
    expect(dispatched()).toEqual([`dispatch main payments/staging deploy ${revisions[0]}`]);

    // The first run finishes: the third is dispatched, and nothing was cancelled.
    await store.updateRun(first[0]!.id, { status: 'success' });
    const after = await advanceRuns(port, store, repo, { all: true });
    expect(after.map((s) => [s.id, s.state])).toEqual([[third[0]!.id, 'dispatched']]);
    expect(dispatched()).toEqual([`dispatch main payments/staging deploy ${revisions[0]}`, `dispatch main payments/staging deploy ${revisions[2]}`]);
    expect((await store.listRuns()).map((r) => r.status).sort()).toEqual(['queued', 'success', 'superseded']);
  });
});

describe('a merge that runs environments depending on each other', () => {
  // alpha depends on mid, which depends on zeta; none has an approval gate.
  const chain: Files = dependencyChain();
  const changed = edit(chain, pathOf('Environment', 'zeta'), 'version: v1', 'version: v1\n  variables:\n  - name: x\n    value: y');

  it('dispatches the first at once and holds each other until the one it depends on has run', async () => {
    const started = await startMergeRuns(port, store, { ...input(PREVIOUS), before: loadSpecs(sources(chain)), after: checked(sources(changed)) });
    const id = (env: string) => `${MERGE.slice(0, 12)}-p.${env}-deploy`;
    expect(started.map((s) => [s.environment, s.state])).toEqual([
      ['p/zeta', 'dispatched'],
      ['p/mid', { waitingFor: 'the runs of p/zeta' }],
      ['p/alpha', { waitingFor: 'the runs of p/mid' }],
    ]);
    await store.updateRun(id('zeta'), { status: 'success' });
    port.calls.length = 0;
    const next = await startMergeRuns(port, store, { ...input(PREVIOUS), before: loadSpecs(sources(chain)), after: checked(sources(changed)) });
    expect(next.map((s) => [s.environment, s.state])).toEqual([
      ['p/mid', 'dispatched'],
      ['p/alpha', { waitingFor: 'the runs of p/mid' }],
    ]);
    // Resumed, not restarted: no deployment is made again and alpha is not told twice.
    expect(port.calls).toEqual([`dispatch envsync-run.yml@main ${id('mid')}`, 'status p/mid queued dispatched to envsync-run.yml']);
  });
});

describe('the id of a merge\'s run', () => {
  it('tells a-b/c from a/b-c: no two environments of a merge share one (the second would never be recorded)', () => {
    const ids = [runIdOf(MERGE, { project: 'a-b', environment: 'c', action: 'deploy' }), runIdOf(MERGE, { project: 'a', environment: 'b-c', action: 'deploy' })];
    expect(ids).toEqual([`${MERGE.slice(0, 12)}-a-b.c-deploy`, `${MERGE.slice(0, 12)}-a.b-c-deploy`]);
  });
});
