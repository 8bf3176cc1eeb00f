// The daily prune, as the app schedules and runs it: once across replicas (one pending job by its
// key), the tracking of runs finished before the retention forgotten, the runs themselves kept.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createEnvsyncApp } from '../../src/app/index.js';
import { SystemService } from '../../src/system/service.js';
import { openStore, type Store } from '../../src/system/store.js';
import { stopAppCleanly } from '../helpers/app-teardown.js';
import { testProbot } from '../helpers/probot.js';

let store: Store;
let app: ReturnType<typeof createEnvsyncApp>;

const DAY = 24 * 60 * 60_000;
const dispatch = { order: 0, environment: 'shop/dev', action: 'deploy' as const, branch: 'main', workflow: 'envsync-run.yml', sha: 'r1', gates: [], after: [], labels: [], approvals: [] };

beforeEach(async () => {
  store = await openStore({ url: ':memory:', queue: { pollMs: 50 } });
  for (const [id, daysAgo] of [['old', 40], ['recent', 5]] as const) {
    await store.createRun({ id, project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'waiting', activities: [], outputs: {} }, { repo: 'o/r', dispatch });
    await store.updateRun(id, { status: 'success', finishedAt: new Date(Date.now() - daysAgo * DAY).toISOString() });
  }
});
afterEach(() => stopAppCleanly(app, store));

async function start(retentionDays: number) {
  app = createEnvsyncApp({ system: new SystemService(store), driftMinutes: 0, retentionDays });
  await testProbot().load(app.appFn, { cwd: process.cwd(), addHandler: () => {} });
}
const prunes = async () => (await store.jobs.list()).filter((j) => j.task === 'prune');

it('is scheduled a minute after the start, once however many processes start, and then daily; it forgets the tracking of runs finished before the retention', async () => {
  const before = Date.now();
  // A first replica starts and stops; the second one's start finds its prune pending and keeps it.
  await start(30);
  await app.running()!.stop();
  await start(30);
  const [scheduled] = await prunes();
  expect((await prunes()).length).toBe(1);
  expect(Date.parse(scheduled!.runAt) - before).toBeGreaterThanOrEqual(59_000);

  expect(await store.jobs.retry(scheduled!.id)).toBe(true); // due now
  await app.running()!.queue.idle();
  expect(await store.getTracking('old')).toBeUndefined();
  expect(await store.getTracking('recent')).toBeDefined();
  expect((await store.listRuns()).map((r) => r.id).sort()).toEqual(['old', 'recent']);
  const [next] = await prunes();
  expect(Date.parse(next!.runAt) - Date.now()).toBeGreaterThan(DAY - 60_000);
});

it('is not scheduled when the retention is 0: everything is kept', async () => {
  await start(0);
  expect(await prunes()).toEqual([]);
});
