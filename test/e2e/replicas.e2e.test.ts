// Two `envsync serve` processes on one PostgreSQL, GitHub's deliveries spread over both: a pull
// request checked on one while /plan asks the other, approvals on both, two merges pushed to both at
// once. One sticky comment and one check of each kind per pull request, one deployment and one
// dispatch per run, pushes applied in order, one drift schedule; no sticky routing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PLAN_MARKER } from '../../src/render/plan-markdown.js';
import { openStore } from '../../src/system/store.js';
import { newDatabase } from '../../demo/postgres.js';
import { World, type AppProcess } from '../../demo/world.js';

let database: Awaited<ReturnType<typeof newDatabase>>;
let world: World;
let a: AppProcess;
let b: AppProcess;

beforeAll(async () => {
  database = await newDatabase('envsync_replicas');
  world = new World(database.url);
  await world.create();
  // A second pull request, from main as it is now: it changes another value of the template.
  world.change('other', 'image: ghcr.io/example/preflight:2', 'image: ghcr.io/example/preflight:3');
  world.github.openPullRequest('other', 'main', 'alice');
  // Both start at once and migrate the same new database. Nobody is killed here: a lease longer than
  // the test's 2 s keeps a loaded test machine from handing a job to the other replica mid-way (that
  // takeover, and the fence that stops the stalled worker's writes, are proven in jobs.test.ts).
  const env = { ENVSYNC_DRIFT_MINUTES: '60', ENVSYNC_JOB_LEASE_SECONDS: '10' };
  [a, b] = await Promise.all([world.process('replica-a', env), world.process('replica-b', env)]);
}, 60_000);
afterAll(async () => {
  await world.stop();
  await database.drop();
});

/** Jobs of `task` finished by both replicas together. */
const done = (task: string) => a.done(task) + b.done(task);
const untilDone = (task: string, count: number) => a.until(`${count} ${task} jobs done by the replicas`, () => done(task) >= count || undefined, 60_000);

it('does every effect once, whichever replica gets which delivery', async () => {
  const [toA, toB] = [world.webhooks(a), world.webhooks(b)];
  const heads = [world.github.sha('change'), world.github.sha('other')];
  await Promise.all([
    toA.pullRequest('opened', { number: 1, head: heads[0]!, headRef: 'change', base: world.base, author: 'alice' }),
    toB.comment(1, '/plan', 'alice'),
    toB.pullRequest('opened', { number: 2, head: heads[1]!, headRef: 'other', base: world.base, author: 'alice' }),
    toA.comment(2, '/plan', 'alice'),
  ]);
  await untilDone('check-pull-request', 4);
  for (const [i, head] of heads.entries()) {
    expect(world.github.checks.filter((c) => c.head_sha === head).map((c) => c.name)).toEqual(['envsync/validate', 'envsync/plan', 'envsync/approval: hook/onInit/change-approval']);
    expect(world.github.comments.filter((c) => c.issue === i + 1 && c.body.startsWith(PLAN_MARKER))).toHaveLength(1);
  }

  await Promise.all([toA.comment(1, '/approve', 'carol'), toB.comment(2, '/approve', 'carol')]);
  await untilDone('command', 4);
  const first = world.github.merge(1);
  const second = world.github.merge(2);
  await Promise.all([toA.push(world.base, first, 'carol'), toB.push(first, second, 'carol')]);
  await untilDone('apply-push', 2);

  // Both replicas did part of the work.
  expect([a.current(), b.current()].map((log) => log.includes('"msg":"job done:'))).toEqual([true, true]);

  const store = await openStore({ url: world.databaseUrl });
  try {
    expect(await store.getAppliedRevision()).toBe(second);
    // In order: the first merge then the second, or (if the second's job ran first) the first is stale.
    const pushes = (await store.listPushes('acme/config')).map((p) => `${p.sha === first ? 'first' : 'second'} ${p.outcome}`).reverse();
    expect([['first applied', 'second applied'], ['second applied', 'first stale']]).toContainEqual(pushes);
    const records = await store.listRuns();
    const runs = records.map((r) => r.id);
    expect(runs.length).toBeGreaterThan(0);
    expect(new Set(runs).size).toBe(runs.length);
    expect(world.github.deployments.map((d) => d.payload.runId).sort()).toEqual([...runs].sort());
    // One run per environment on GitHub: the second merge's runs wait in the store for the first's.
    const waiting = records.filter((r) => r.status === 'waiting');
    for (const r of waiting) expect(r.reason).toMatch(/^run \S+ of the same environment$/);
    expect(world.github.dispatches.map((d) => d.inputs['run-id']).sort()).toEqual(records.filter((r) => r.status !== 'waiting').map((r) => r.id).sort());
    // One drift check is scheduled, however many replicas asked.
    expect((await store.jobs.list()).filter((j) => j.task === 'drift-check').map((j) => j.state)).toEqual(['pending']);
  } finally {
    await store.close();
  }
}, 180_000);
