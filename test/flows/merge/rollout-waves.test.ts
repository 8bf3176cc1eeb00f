// A fleet change rolled out in waves (`rollout.waves`), on GitHub in memory: 152 environments in
// three projects, the canary first, then retail once `/approve wave/early` is given on the merged pull
// request, then the rest; a failure in the second wave stops the third, said on the deployments and
// on the pull request.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRepositoryConfig } from '../../../src/config/config.js';
import { MemoryPort } from '../../../src/github/memory-port.js';
import { startMergeRuns } from '../../../src/flows/merge/start-runs.js';
import { advanceRuns } from '../../../src/flows/runs/advance-runs.js';
import { loadSpecs } from '../../../src/specs/load.js';
import { SystemService } from '../../../src/system/service.js';
import { openStore, type Store } from '../../../src/system/store.js';
import { fleetFiles } from '../../golden/fleet.js';

const repo = { owner: 'acme', repo: 'config' };
const MERGE = 'm'.repeat(40);
const SUBJECT = `${'h'.repeat(40)}:main`;
const WAVES = ['rollout:', '  waves:', '  - name: canary', '    environments: [payments/dev]', '  - name: early', '    projects: [retail]', '    gate: true'].join('\n');
let store: Store;
let port: MemoryPort;

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  port = new MemoryPort();
  // The environments' own gate is approved on the merged pull request #7.
  await store.recordApproval({ repo: 'acme/config', pullNumber: 7, sha: SUBJECT, gate: 'hook/onInit/change-approval', user: 'r', decision: 'approve' });
});
afterEach(() => store.close());

const merge = () =>
  startMergeRuns(port, store, {
    repo,
    branch: 'main',
    revision: MERGE,
    before: loadSpecs(fleetFiles()),
    after: new SystemService(store).checkRevision(fleetFiles(true), MERGE).loaded,
    config: parseRepositoryConfig(WAVES).config,
    previousRevision: 'p'.repeat(40),
    approvals: [{ number: 7, subject: SUBJECT }],
    trigger: 'webhook',
    actor: 'carol',
  });
const runOf = (environment: string) => `${MERGE.slice(0, 12)}-${environment.replace('/', '.')}-deploy`;
const dispatchedEnvironments = () => port.dispatches.map((d) => d.inputs.environment!);
const finish = async (environment: string, status: 'success' | 'failure') => {
  await store.updateRun(runOf(environment), { status, finishedAt: new Date().toISOString() });
  return advanceRuns(port, store, repo, { all: true });
};

describe('a fleet change in three waves', () => {
  it('runs the canary first; the second wave once it succeeded and its gate is approved on the merged pull request; the rest after the second', async () => {
    const started = await merge();
    expect(started).toHaveLength(152);
    expect(dispatchedEnvironments()).toEqual(['payments/dev']);
    expect((await store.getTracking(runOf('retail/env-00')))?.dispatch).toMatchObject({ wave: { name: 'early', index: 1, of: 3 }, gates: ['hook/onInit/change-approval', 'wave/early'] });
    expect((await store.getTracking(runOf('logistics/env-00')))?.dispatch.wave).toEqual({ name: 'rest', index: 2, of: 3 });

    // The canary succeeds: the second wave waits for its gate, the rest for the second wave.
    await finish('payments/dev', 'success');
    expect(dispatchedEnvironments()).toEqual(['payments/dev']);
    expect((await store.getRun(runOf('retail/env-00')))?.reason).toBe('approval of wave/early: /approve on #7');
    await store.recordApproval({ repo: 'acme/config', pullNumber: 7, sha: SUBJECT, gate: 'wave/early', user: 'r', decision: 'approve' });
    await advanceRuns(port, store, repo, { all: true });
    expect(dispatchedEnvironments().filter((e) => e.startsWith('retail/'))).toHaveLength(50);
    expect(dispatchedEnvironments().some((e) => e.startsWith('logistics/') || e === 'payments/staging')).toBe(false);

    // Every run of the second wave succeeds: the rest goes.
    for (let i = 0; i < 50; i++) await store.updateRun(runOf(`retail/env-${String(i).padStart(2, '0')}`), { status: 'success' });
    await advanceRuns(port, store, repo, { all: true });
    expect(dispatchedEnvironments()).toHaveLength(152);
  });

  it('stops at a failure in the second wave: the rest is not run, and the deployments and the pull request say so', async () => {
    await merge();
    await finish('payments/dev', 'success');
    await store.recordApproval({ repo: 'acme/config', pullNumber: 7, sha: SUBJECT, gate: 'wave/early', user: 'r', decision: 'approve' });
    await advanceRuns(port, store, repo, { all: true });
    await finish('retail/env-07', 'failure');
    const reason = 'the rollout stopped: retail/env-07 did not succeed';
    expect(await store.getRun(runOf('logistics/env-00'))).toMatchObject({ status: 'not_run', reason });
    expect(await store.getRun(runOf('payments/staging'))).toMatchObject({ status: 'not_run', reason });
    expect((await store.listRuns()).filter((r) => r.status === 'not_run')).toHaveLength(101);
    expect(port.deployments.find((d) => d.environment === 'logistics/env-00')!.statuses.at(-1)).toMatchObject({ state: 'error', description: `not run: ${reason}`.slice(0, 140) });
    const note = port.comments.filter((c) => 'pullRequest' in c.on && c.on.pullRequest === 7);
    expect(note).toHaveLength(1);
    expect(note[0]!.body).toBe(
      `<!-- envsync:rollout ${MERGE} -->\n### envsync: rollout of \`mmmmmmm\` stopped\n\n\`retail/env-07\` did not succeed, so the waves after were not run:\n\n` +
        '- wave `rest`: 101 environments not run (`logistics/env-00`, `logistics/env-01`, `logistics/env-02`, `logistics/env-03`, `logistics/env-04` and 96 more)\n\nFix the cause and merge again (or start the environments\' runs by hand).\n',
    );
    // The second wave's other runs go on: they are on GitHub already.
    expect((await store.getRun(runOf('retail/env-08')))?.status).toBe('queued');
  });
});

describe('a rollout whose canary GitHub refused to dispatch', () => {
  it('stops, and the note names the canary (not run, not failed) as what did not succeed', async () => {
    port.fail = (operation) => (operation === 'dispatch' ? Object.assign(new Error('Not Found'), { status: 404 }) : undefined);
    await merge();
    expect((await store.getRun(runOf('payments/dev')))?.status).toBe('not_run');
    expect((await store.getRun(runOf('logistics/env-00')))?.reason).toBe('the rollout stopped: payments/dev did not succeed');
    const note = port.comments.find((c) => c.body.includes('envsync:rollout'))!;
    expect(note.body).toContain('`payments/dev` did not succeed, so the waves after were not run:');
  });
});
