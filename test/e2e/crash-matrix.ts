// The whole loop played with the app killed (SIGKILL) at every write it makes to GitHub, one after
// the other: the PR check, /approve, the merge's push with its deployments and dispatches, and a
// workflow run's completion. At each write the request is either lost (GitHub never saw it) or its
// answer is (GitHub did it, the app never heard), alternating; the app is started again (it takes
// its job back after the lease, 2 s here), the delivery is sent again or not, and the job goes on
// from where it was. What GitHub shows in the end must be exactly what a run without faults shows.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Fault } from '../../demo/fake-github.js';
import { newDatabase } from '../../demo/postgres.js';
import { githubState, World } from '../../demo/world.js';

const isWrite = (request: { method: string; path: string }) => request.method !== 'GET' && !request.path.includes('/access_tokens');

export interface CrashPlay {
  state: ReturnType<typeof githubState>;
  /** Each fault, in order: the flow, the fault, and the request it hit. */
  crashes: string[];
  /** What the webhooks sent again after each restart were answered (none without `redeliver`). */
  redeliveries: number[];
  /** The merge commit. */
  merge: string;
  metrics: string;
}

/** What GitHub shows after the loop when nothing goes wrong: each check, comment, deployment, status and dispatch once. */
export function cleanOutcome(world: World, merge: string): ReturnType<typeof githubState> {
  const [head, at] = [world.head.slice(0, 7), merge.slice(0, 7)];
  const run = (env: string) => `${merge.slice(0, 12)}-payments.${env}-deploy`;
  return {
    checks: [
      `envsync/validate ${head} completed success "all specs valid" annotations 0`,
      // Planned against the system, which holds nothing yet: the merge creates every spec.
      `envsync/plan ${head} completed success "15 changes, 2 runs, 1 gate to approve" annotations 0`,
      `envsync/approval: hook/onInit/change-approval ${head} completed success "approved by @carol" annotations 0`,
    ],
    comments: ['#1 <!-- envsync:plan -->', '#1 ### envsync deploy of `payments/dev`: success'],
    reactions: ['+1'],
    deployments: [`payments/dev ${at}: queued "dispatched to envsync-run.yml", success "deploy of payments/dev: success"`, `payments/staging ${at}: queued "dispatched to envsync-run.yml"`],
    dispatches: ['dev', 'staging'].map((env) => `envsync-run.yml@main payments/${env} deploy ${at} [hook/onInit/change-approval] ${run(env)}`),
    workflowRuns: ['dev', 'staging'].map((env) => `envsync deploy payments/${env} (run ${run(env)}) queued`),
  };
}

/** Plays the loop with crashes; `redeliver`: GitHub also redelivers each killed delivery (else the job resumes on its own only). */
export async function playWithCrashes(firstFault: 'hang' | 'hang-after', world: World, options: { redeliver: boolean }): Promise<CrashPlay> {
  // A crash costs the job an attempt (a job that kills its process must not loop for ever); the
  // merge's job is killed six times here, more than the six attempts a job has by default.
  const app = await world.process('app', { ENVSYNC_JOB_ATTEMPTS: '25' });
  const webhooks = world.webhooks(app);
  const crashes: string[] = [];
  const redeliveries: number[] = [];
  let fault: 'hang' | 'hang-after' = firstFault;

  /** Sends the flow's webhook, then kills the app at each write of its job in turn until the job finishes untouched. */
  const flow = async (name: string, task: string, send: () => Promise<number>) => {
    // Each write is hit once: when the resumed job sends it again (an idempotent write repeated, or
    // one whose request was lost), it goes through, and the next new write is hit.
    const hit = new Set<string>();
    let fired: string | undefined;
    world.github.fault = (request): Fault | undefined => {
      const write = `${request.method} ${request.path} ${request.body}`;
      if (!isWrite(request) || fired || hit.has(write)) return undefined;
      hit.add(write);
      fired = `${name}: ${fault} at ${request.method} ${request.path.replace('/repos/acme/config', '')}`;
      return fault;
    };
    if ((await send()) !== 200) throw new Error(`${name}: the webhook was not accepted`);
    const delivery = webhooks.deliveries.at(-1)!;
    for (;;) {
      await app.until(`${name}: a fault or the job done`, () => fired !== undefined || app.done(task) > 0);
      if (!fired) break;
      crashes.push(fired);
      await app.kill('SIGKILL');
      fault = fault === 'hang' ? 'hang-after' : 'hang';
      fired = undefined;
      await app.start();
      // GitHub's redelivery of the same delivery, on top of the job resuming on its own.
      if (options.redeliver) redeliveries.push(await webhooks.send(delivery.event, delivery.payload, delivery.id));
    }
    world.github.fault = undefined;
  };

  await flow('pull request', 'check-pull-request', () => webhooks.pullRequest('opened', { number: 1, head: world.head, headRef: 'change', base: world.base, author: 'alice' }));
  await flow('/approve', 'command', () => webhooks.comment(1, '/approve', 'carol'));
  const merge = world.github.merge(1);
  await flow('merge', 'apply-push', () => webhooks.push(world.base, merge, 'carol'));
  const dev = world.github.dispatches.find((d) => d.inputs.environment === 'payments/dev')!;
  const run = world.github.workflowRuns.find((r) => r.id === dev.workflowRun)!;
  world.uploadResults(run.id, dev.inputs['run-id']!, 'payments/dev', merge);
  await flow('workflow run', 'follow-workflow-run', () =>
    webhooks.workflowRun('completed', { id: run.id, title: run.display_title, headSha: merge, conclusion: 'success', url: `https://github.example/acme/config/actions/runs/${run.id}`, path: '.github/workflows/envsync-run.yml' }),
  );
  const metrics = await (await fetch(`${app.url}/metrics`)).text();
  return { state: githubState(world.github), crashes, redeliveries, merge, metrics };
}

/**
 * The test, for one test file: `first` is the first fault (then alternating), `redeliver` whether
 * GitHub also sends each killed delivery again, `postgres` whether the store is a new PostgreSQL
 * database (else a SQLite file).
 */
export function crashSuite(options: { first: 'hang' | 'hang-after'; redeliver: boolean; postgres: boolean }): void {
  let database: Awaited<ReturnType<typeof newDatabase>> | undefined;
  let world: World;
  beforeAll(async () => {
    database = options.postgres ? await newDatabase('envsync_crash') : undefined;
    world = new World(database?.url);
  });
  afterAll(async () => {
    await world.stop();
    await database?.drop();
  });

  const faults = `the first a ${options.first === 'hang' ? 'lost request' : 'lost answer'}`;
  it(`ends exactly as a run without faults, with the app killed at each write (${faults}, ${options.redeliver ? 'each delivery sent again' : 'no redelivery'}, ${options.postgres ? 'PostgreSQL' : 'SQLite'})`, async () => {
    await world.create();
    const play = await playWithCrashes(options.first, world, { redeliver: options.redeliver });
    expect(play.state).toEqual(cleanOutcome(world, play.merge));
    const [a, b] = options.first === 'hang' ? ['hang', 'hang-after'] : ['hang-after', 'hang'];
    expect(play.crashes).toEqual([
      `pull request: ${a} at POST /check-runs`,
      `pull request: ${b} at POST /check-runs`,
      `pull request: ${a} at POST /check-runs`,
      `pull request: ${b} at POST /issues/1/comments`,
      `/approve: ${a} at PATCH /check-runs/3`,
      `/approve: ${b} at POST /issues/comments/5001/reactions`,
      `merge: ${a} at POST /deployments`,
      `merge: ${b} at POST /deployments`,
      // The two runs' dispatches and statuses: which comes first depends on which write was lost.
      expect.stringMatching(new RegExp(`^merge: ${a} at POST /(actions/workflows/envsync-run.yml/dispatches|deployments/\\d+/statuses)$`)),
      expect.stringMatching(new RegExp(`^merge: ${b} at POST /`)),
      expect.stringMatching(new RegExp(`^merge: ${a} at POST /`)),
      expect.stringMatching(new RegExp(`^merge: ${b} at POST /`)),
      expect.stringMatching(new RegExp(`^workflow run: ${a} at POST /deployments/\\d+/statuses$`)),
      `workflow run: ${b} at POST /issues/1/comments`,
    ]);
    expect(play.redeliveries).toEqual(options.redeliver ? play.crashes.map(() => 200) : []);
    expect(play.metrics).toContain('envsync_jobs{state="failed"} 0');
  }, 240_000);
}
