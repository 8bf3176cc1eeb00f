// What a hostile review of the fleet plans and rollout waves found, each now a test of the behaviour
// that mends it: the rollout order kept across merges, the failure at the root named, a note told
// whole after a crash, waves stored linearly, every gate counted, checks within GitHub's limits, and
// template versions kept apart.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRepositoryConfig } from '../../../src/config/config.js';
import { MemoryPort } from '../../../src/github/memory-port.js';
import { startMergeRuns } from '../../../src/flows/merge/start-runs.js';
import { advanceRuns } from '../../../src/flows/runs/advance-runs.js';
import { loadSpecs } from '../../../src/specs/load.js';
import type { SourceFile } from '../../../src/specs/source.js';
import { SystemService } from '../../../src/system/service.js';
import { openStore, type Store } from '../../../src/system/store.js';
import { planChange } from '../../../src/engine/plan/plan.js';
import { assignWaves, waveGate } from '../../../src/engine/plan/waves.js';
import { groupRuns } from '../../../src/engine/plan/groups.js';
import type { Plan, Run } from '../../../src/engine/plan/types.js';
import { approvalOutput, planOutput } from '../../../src/render/checks.js';
import { renderPlan } from '../../../src/render/plan-markdown.js';
import { fleetFiles } from '../../golden/fleet.js';

const repo = { owner: 'acme', repo: 'config' };
const M1 = 'm'.repeat(40);
const M2 = 'n'.repeat(40);
const SUBJECT7 = `${'h'.repeat(40)}:main`;
const SUBJECT8 = `${'i'.repeat(40)}:main`;
const WAVES = ['rollout:', '  waves:', '  - name: canary', '    environments: [payments/dev]', '  - name: early', '    projects: [retail]', '    gate: true'].join('\n');
const CONFIG = parseRepositoryConfig(WAVES).config;

const edit = (files: SourceFile[], path: string, from: string, to: string): SourceFile[] =>
  files.map((f) => {
    if (f.path !== path) return f;
    const text = new TextDecoder().decode(f.content);
    if (!text.includes(from)) throw new Error(`${path} lacks ${from}`);
    const content = new TextEncoder().encode(text.replace(from, to));
    return { ...f, content, size: content.length };
  });

let store: Store;
let port: MemoryPort;
beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  port = new MemoryPort();
  await store.recordApproval({ repo: 'acme/config', pullNumber: 7, sha: SUBJECT7, gate: 'hook/onInit/change-approval', user: 'r', decision: 'approve' });
});
afterEach(() => store.close());

const mergeM1 = (p: MemoryPort = port) =>
  startMergeRuns(p, store, {
    repo,
    branch: 'main',
    revision: M1,
    before: loadSpecs(fleetFiles()),
    after: new SystemService(store).checkRevision(fleetFiles(true), M1).loaded,
    config: CONFIG,
    previousRevision: 'p'.repeat(40),
    approvals: [{ number: 7, subject: SUBJECT7 }],
    trigger: 'webhook',
    actor: 'carol',
  });
const runOf = (revision: string, environment: string) => `${revision.slice(0, 12)}-${environment.replace('/', '.')}-deploy`;
const dispatched = () => port.dispatches.map((d) => d.inputs.environment!);
const notes7 = () => port.comments.filter((c) => 'pullRequest' in c.on && c.on.pullRequest === 7 && c.body.includes('envsync:rollout'));

describe('rollout waves', () => {
  it('a newer merge of one environment of a later wave waits for the wave the run it supersedes waited for: the older fleet change does not get there before the canary', async () => {
    await mergeM1();
    expect(dispatched()).toEqual(['payments/dev']); // the canary runs; every other run waits for it
    // PR #8, merged while the canary is still running, changes one logistics environment's own value.
    await store.recordApproval({ repo: 'acme/config', pullNumber: 8, sha: SUBJECT8, gate: 'hook/onInit/change-approval', user: 'r', decision: 'approve' });
    const before = new SystemService(store).checkRevision(fleetFiles(true), M1).loaded;
    const after = new SystemService(store).checkRevision(edit(fleetFiles(true), 'projects/logistics/environments/env-00.yaml', 'value: "1"', 'value: "2"'), M2).loaded;
    await startMergeRuns(port, store, { repo, branch: 'main', revision: M2, before, after, config: CONFIG, previousRevision: M1, approvals: [{ number: 8, subject: SUBJECT8 }], trigger: 'webhook', actor: 'dave' });
    // M2's run supersedes M1's waiting one and runs M2's tree, which holds M1's template change (preflight:3):
    // it must not go before M1's earlier waves succeeded.
    expect((await store.getRun(runOf(M1, 'logistics/env-00')))?.status).toBe('superseded');
    expect((await store.getRun(runOf(M1, 'payments/dev')))?.status).toBe('queued');
    expect(dispatched()).not.toContain('logistics/env-00');
    // Once the waves before it succeeded, it goes: it waits for the older merge's wave, not for ever.
    await store.updateRun(runOf(M1, 'payments/dev'), { status: 'success', finishedAt: new Date().toISOString() });
    await store.recordApproval({ repo: 'acme/config', pullNumber: 7, sha: SUBJECT7, gate: waveGate('early'), user: 'r', decision: 'approve' });
    await advanceRuns(port, store, repo, { all: true });
    expect((await store.getRun(runOf(M2, 'logistics/env-00')))?.reason).toBe(`the runs of wave early of ${M1.slice(0, 7)}`);
    for (let i = 0; i < 50; i++) await store.updateRun(runOf(M1, `retail/env-${String(i).padStart(2, '0')}`), { status: 'success' });
    await advanceRuns(port, store, repo, { all: true });
    expect(dispatched()).toContain('logistics/env-00');
  });

  it('when the canary fails, the later waves\' reason and the pull request\'s note name the canary, not a run that never ran', async () => {
    await mergeM1();
    await store.updateRun(runOf(M1, 'payments/dev'), { status: 'failure', finishedAt: new Date().toISOString() });
    await advanceRuns(port, store, repo, { all: true });
    const rest = await store.getRun(runOf(M1, 'logistics/env-00'));
    expect(rest?.status).toBe('not_run');
    expect(rest?.reason).toContain('payments/dev');
    expect(rest?.reason).not.toContain('retail/env-00');
    const note = notes7();
    expect(note).toHaveLength(1);
    expect(note[0]!.body).not.toMatch(/`retail\/env-00`[^\n]*did not succeed/);
  });

  it('a job repeated after a crash half-way through the marking leaves the pull request\'s note whole', async () => {
    await mergeM1();
    await store.updateRun(runOf(M1, 'payments/dev'), { status: 'failure', finishedAt: new Date().toISOString() });
    // The job dies after 60 runs were told and marked not run.
    let errors = 0;
    const crashing = new Proxy(port, {
      get(target, key, receiver) {
        if (key === 'ensureDeploymentStatus')
          return async (...args: Parameters<MemoryPort['ensureDeploymentStatus']>) => {
            if (args[2].state === 'error' && ++errors > 60) throw new Error('crash');
            return target.ensureDeploymentStatus(...args);
          };
        return Reflect.get(target, key, receiver);
      },
    });
    await expect(advanceRuns(crashing, store, repo, { all: true })).rejects.toThrow('crash');
    const first = notes7()[0]!.body;
    expect(first).toContain('wave `rest`: 101 environments not run');
    await advanceRuns(port, store, repo, { all: true }); // the job, repeated
    expect((await store.listRuns()).filter((r) => r.status === 'not_run')).toHaveLength(151);
    expect(notes7()[0]!.body).toBe(first);
  });

  it('a run of a wave stores the wave before as one dependency: what is stored grows with the fleet, not its square', async () => {
    await mergeM1();
    const runs = await store.listRuns();
    let total = 0;
    for (const r of runs) total += (await store.getTracking(r.id))!.dispatch.after.length;
    // One dependency on the wave before per run, not every run of it (which grew as the product of the waves' sizes).
    expect(total).toBeLessThanOrEqual(2 * runs.length);
  });
});

describe('plan and checks with waves', () => {
  const plan = planChange({ base: { revision: '1'.repeat(40), loaded: loadSpecs(fleetFiles()) }, head: { revision: '2'.repeat(40), loaded: loadSpecs(fleetFiles(true)) } });
  const waves = assignWaves(plan.runs, CONFIG.rollout.waves);

  it('the headline and the plan check\'s title count every gate the comment lists, a gated wave\'s too', () => {
    const { comment } = renderPlan(plan, undefined, { waves });
    expect(comment).toContain('/approve wave/early');
    expect(comment).toContain('**2 gates to approve**');
    expect(planOutput(plan, { waves }).title).toContain('2 gates to approve');
  });

  it('the approval check of a gated wave of 5,000 environments stays within GitHub\'s 65,535 characters', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `payments/env-${String(i).padStart(4, '0')}`);
    // check-pull-request: gates.set(waveGate(wave.name), wave.runs.map(...)) then approvalOutput(gate, environments, ...)
    const output = approvalOutput(waveGate('prod'), names, {});
    expect(output.summary.length).toBeLessThanOrEqual(65_535);
  });
});

describe('grouping', () => {
  it('runs on two versions of a template are two groups, even with one cause and one graph', () => {
    const base: Omit<Run, 'environment' | 'template'> = {
      project: 'payments',
      action: 'deploy',
      reasons: [{ type: 'context-changed', kind: 'ConfigContext', project: 'payments', name: 'shared', action: 'update' }],
      approvals: [],
      activities: [{ id: 'resource/db/apply', type: 'stage', dependsOn: [] }],
    };
    const plan: Pick<Plan, 'runs' | 'changes'> = {
      changes: [],
      runs: [
        { ...base, environment: 'dev', template: { name: 'web-stack', version: 'v1' } },
        { ...base, environment: 'prod', template: { name: 'web-stack', version: 'v2' } },
      ],
    };
    expect(groupRuns(plan)).toHaveLength(2);
  });
});
