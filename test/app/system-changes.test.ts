// Changes made outside Git go back to Git as soon as they are made: the service reports each one,
// a burst is gathered into one durable job, and the job delivers it as `.github/envsync.yml` says.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnvsyncApp } from '../../src/app/index.js';
import { testProbot } from '../helpers/probot.js';
import { exportSystemChanges } from '../../src/flows/sync/system-changes.js';
import { CONFIG_PATH } from '../../src/config/config.js';
import { MemoryPort } from '../../src/github/memory-port.js';
import { SystemService, type SystemChangeEvent } from '../../src/system/service.js';
import { openStore, type Store } from '../../src/system/store.js';
import { exampleFiles } from '../golden/scenarios.js';
import { contentsOf } from '../helpers/github-fixtures.js';

const repo = { owner: 'acme', repo: 'config' };
let store: Store;
let service: SystemService;
let events: SystemChangeEvent[];

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  service = new SystemService(store);
  events = [];
  service.onChange((e) => events.push(e));
  await service.applyRevision(exampleFiles(), 'rev-1', { trigger: 'webhook', actor: null });
});
afterEach(() => store.close());

const launchQa = () => service.launch({ project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa' } }, { trigger: 'internal', actor: 'alice' });

describe('SystemService.onChange', () => {
  it('reports a spec created, updated and deleted outside Git, with who did it', async () => {
    await launchQa();
    const qa = await service.get({ kind: 'Environment', project: 'payments', name: 'qa' });
    const spec = structuredClone(qa.spec) as { spec: { variables: { name: string; value: string }[] } };
    spec.spec.variables[0]!.value = 'qa-team';
    await service.put(spec as unknown as Record<string, unknown>, { trigger: 'manual', actor: 'bob' });
    await service.delete({ kind: 'Environment', project: 'payments', name: 'qa' }, { trigger: 'internal', actor: null });
    const key = { kind: 'Environment', project: 'payments', name: 'qa' };
    expect(events).toEqual([
      { key, outcome: 'created', actor: 'alice' },
      { key, outcome: 'updated', actor: 'bob' },
      { key, outcome: 'deleted', actor: null },
    ]);
  });

  it('reports nothing for a write that changes nothing, a refused write, or a revision applied from Git', async () => {
    const dev = await service.get({ kind: 'Environment', project: 'payments', name: 'dev' });
    expect(await service.put(structuredClone(dev.spec) as Record<string, unknown>, { trigger: 'internal', actor: 'alice' })).toMatchObject({ outcome: 'unchanged' });
    await expect(service.delete({ kind: 'EnvironmentTemplate', project: 'payments', name: 'web-stack', version: 'v1' }, { trigger: 'internal', actor: 'alice' })).rejects.toThrow('other specs still use');
    await service.applyRevision(exampleFiles().filter((f) => !f.path.endsWith('staging.yaml')), 'rev-2', { trigger: 'webhook', actor: null });
    expect(events).toEqual([]);
  });
});

describe('a burst of changes made outside Git, at the app', () => {
  it('becomes one durable job, its window kept from the first change, with every actor', async () => {
    await store.followRepository('acme/config');
    await store.updateRepository('acme/config', { installationId: 1, defaultBranch: 'main', projects: ['*'] });
    const app = createEnvsyncApp({ system: new SystemService(store), driftMinutes: 0, syncDelayMs: 60_000 });
    await testProbot().load(app.appFn, { cwd: process.cwd(), addHandler: () => {} });
    const before = Date.now();
    await launchQa();
    const qa = await service.get({ kind: 'Environment', project: 'payments', name: 'qa' });
    const spec = structuredClone(qa.spec) as { spec: { variables: { name: string; value: string }[] } };
    spec.spec.variables[0]!.value = 'qa-team';
    // The app's own service: the one whose changes it follows.
    await app.running()!.service.put(spec as unknown as Record<string, unknown>, { trigger: 'manual', actor: 'bob' });
    await app.running()!.service.delete({ kind: 'Environment', project: 'payments', name: 'qa' }, { trigger: 'internal', actor: 'carol' });
    const jobs = await waitForJobs(async () => (await store.jobs.list()).filter((j) => j.task !== 'prune'), (list) => list.length === 1 && list);
    expect(jobs.map((j) => [j.task, j.queue, j.key, j.state])).toEqual([['sync-system-changes', 'acme/config', 'sync-system-changes:acme/config', 'pending']]);
    // Due a minute after the first change, not pushed back by the later ones.
    expect(Date.parse(jobs[0]!.runAt) - before).toBeGreaterThanOrEqual(60_000);
    expect(Date.parse(jobs[0]!.runAt) - before).toBeLessThan(61_000);
    await app.running()!.stop();
  });
});

/** Polls until `ready` accepts what `read` gives (the app queues a change's job after the change commits). */
async function waitForJobs<T, R>(read: () => Promise<T>, ready: (value: T) => R | false): Promise<R> {
  for (let i = 0; i < 200; i++) {
    const found = ready(await read());
    if (found) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

describe('exportSystemChanges', () => {
  it('commits straight to the sync branch when .github/envsync.yml asks for commits, naming the change', async () => {
    await launchQa();
    const port = new MemoryPort();
    const base = port.commit({ branch: 'main', tree: { ...contentsOf(exampleFiles()), [CONFIG_PATH]: 'sync:\n  delivery: commit\n' } });
    const results = await exportSystemChanges(port, service, repo, 'main', ['alice']);
    const sha = port.branches.get('main')!;
    expect(results).toEqual([{ outcome: 'committed', sha }]);
    expect(port.commits.get(sha)).toMatchObject({ parents: [base], message: 'envsync: create Environment payments/qa\n\nCreated through the system API by the API token alice.', author: port.identity });
    expect(await port.changedFiles(repo, base, sha)).toMatchObject({ status: 'ahead', files: [{ path: 'projects/payments/environments/qa.yaml', status: 'added' }] });
    expect(port.filesAt(sha)['projects/payments/environments/qa.yaml']).toContain('  name: qa\n');
    // One commit, and the branch moved to it fast-forward only.
    expect(port.calls).toEqual([`commit on ${base}: envsync: create Environment payments/qa`, `branch main moved to ${sha}`]);
  });
});
