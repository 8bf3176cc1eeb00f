// The whole loop played with the app killed (SIGKILL) at every write it makes to GitHub, one after
// the other: the PR check, /approve, the merge's push with its deployments and dispatches, and a
// workflow run's completion. At each write the request is either lost (GitHub never saw it) or its
// answer is (GitHub did it, the app never heard), alternating; the app is started again, the
// delivery is sent again, and the job goes on from where it was. What GitHub shows in the end must
// be exactly what a run without faults shows.
import type { Fault } from '../../demo/fake-github.js';
import { githubState, type World } from './world.js';

const isWrite = (request: { method: string; path: string }) => request.method !== 'GET' && !request.path.includes('/access_tokens');

export interface CrashPlay {
  state: ReturnType<typeof githubState>;
  /** Each fault, in order: the flow, the fault, and the request it hit. */
  crashes: string[];
  /** What the webhooks sent again after each restart were answered. */
  redeliveries: number[];
  /** The merge commit. */
  merge: string;
  metrics: string;
}

/** What GitHub shows after the loop when nothing goes wrong: each check, comment, deployment, status and dispatch once. */
export function cleanOutcome(world: World, merge: string): ReturnType<typeof githubState> {
  const [head, at] = [world.head.slice(0, 7), merge.slice(0, 7)];
  const run = (env: string) => `${merge.slice(0, 12)}-payments-${env}-deploy`;
  return {
    checks: [
      `envsync/validate ${head} completed success "all specs valid" annotations 0`,
      `envsync/plan ${head} completed success "1 change, 2 runs, 2 approvals needed" annotations 0`,
      `envsync/approval: hook/onInit/change-approval ${head} completed success "approved by @carol" annotations 0`,
    ],
    comments: ['#1 <!-- envsync:plan -->', '#1 ### envsync deploy of `payments/dev`: success'],
    reactions: ['+1'],
    deployments: [`payments/dev ${at}: queued "dispatched to envsync-run.yml", success "deploy of payments/dev: success"`, `payments/staging ${at}: queued "dispatched to envsync-run.yml"`],
    dispatches: ['dev', 'staging'].map((env) => `envsync-run.yml@main payments/${env} deploy ${at} [hook/onInit/change-approval] ${run(env)}`),
    workflowRuns: ['dev', 'staging'].map((env) => `envsync deploy payments/${env} (run ${run(env)}) queued`),
  };
}

export async function playWithCrashes(firstFault: 'hang' | 'hang-after', world: World): Promise<CrashPlay> {
  const app = await world.process('app');
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
      redeliveries.push(await webhooks.send(delivery.event, delivery.payload, delivery.id));
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
