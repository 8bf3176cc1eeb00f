// The server as an operator runs it: revisions only move forward (an older push, or a failed one
// redelivered after a newer one, changes nothing), a stop is bounded while a GitHub request hangs,
// an oversized webhook is refused before it is read, and health, readiness and metrics answer.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/system/store.js';
import { waitFor } from '../../demo/sandbox.js';
import { World, type AppProcess } from '../../demo/world.js';

const world = new World();
let app: AppProcess;

beforeAll(async () => {
  await world.create();
  app = await world.process('app', { ENVSYNC_JOB_ATTEMPTS: '1', ENVSYNC_STOP_GRACE_SECONDS: '2' });
}, 60_000);
afterAll(() => world.stop());

/** The revision the system applied and what became of each push, read from the store as another process would. */
async function storeView() {
  const store = await openStore({ url: world.databaseUrl });
  try {
    return { applied: await store.getAppliedRevision(), pushes: (await store.listPushes('acme/config')).map((p) => `${p.sha.slice(0, 7)} ${p.outcome}`).reverse() };
  } finally {
    await store.close();
  }
}

/** Sends a push and waits until its job has run (it finished, or failed for good). */
async function push(webhooks: ReturnType<World['webhooks']>, before: string, after: string, id?: string) {
  const [done, failed] = [app.done('apply-push'), failures()];
  expect(await webhooks.push(before, after, 'carol', id ? { id } : {})).toBe(200);
  await app.until(`the push of ${after.slice(0, 7)} handled`, () => app.done('apply-push') > done || failures() > failed);
}
const failures = () => app.current().split('\n').filter((l) => l.includes('job failed for good: apply-push')).length;

describe('revisions', () => {
  it('only move forward: an older push after a newer one, and a failed push redelivered after a newer one, change nothing', async () => {
    const webhooks = world.webhooks(app);
    const first = world.github.merge(1);
    await push(webhooks, world.base, first);
    const second = world.change('main', 'value: "4"', 'value: "2"');
    const third = world.change('main', 'value: "2"', 'value: "1"');
    // The push of `second` fails for good (GitHub answers 502 to every read of it; one attempt here).
    world.github.fault = (r) => (r.method === 'GET' && r.path.includes(second) ? 502 : undefined);
    await push(webhooks, first, second, 'push-of-second');
    world.github.fault = undefined;
    await push(webhooks, second, third);
    const dispatches = world.github.dispatches.length;
    const deployments = world.github.deployments.length;
    // GitHub delivers the older push late, and the failed one is redelivered: both are stale now.
    await push(webhooks, world.base, first);
    await push(webhooks, first, second, 'push-of-second');
    expect(await storeView()).toEqual({
      applied: third,
      pushes: [`${first.slice(0, 7)} applied`, `${third.slice(0, 7)} applied`, `${first.slice(0, 7)} stale`, `${second.slice(0, 7)} stale`],
    });
    expect(world.github.dispatches).toHaveLength(dispatches);
    expect(world.github.deployments).toHaveLength(deployments);
  }, 60_000);

  it('move back on a force-push that rewinds the branch, as the new desired state', async () => {
    const webhooks = world.webhooks(app);
    const { applied } = await storeView();
    const rewound = world.github.git(['rev-parse', `${applied}^`]);
    world.github.git(['update-ref', 'refs/heads/main', rewound]);
    const done = app.done('apply-push');
    expect(await webhooks.push(applied!, rewound, 'carol', { forced: true })).toBe(200);
    await app.until('the force-push applied', () => app.done('apply-push') > done);
    expect((await storeView()).applied).toBe(rewound);
    expect(app.current()).toContain('"forced":true');
  }, 60_000);
});

describe('a stop', () => {
  it('while a GitHub request hangs exits within its grace period, and the restarted process finishes the job', async () => {
    const webhooks = world.webhooks(app);
    world.github.openPullRequest('change', 'main', 'alice');
    const number = world.github.pulls.length;
    const head = world.change('change-2', 'value: "2"', 'value: "4"');
    world.github.pulls.at(-1)!.head = 'change-2';
    world.github.fault = (r) => (r.method === 'POST' && r.path.endsWith('/check-runs') ? 'hang' : undefined);
    expect(await webhooks.pullRequest('opened', { number, head, headRef: 'change-2', base: world.github.sha('main'), author: 'alice' })).toBe(200);
    await waitFor('the check to hang', () => world.github.hanging.length > 0);
    const started = Date.now();
    expect(await app.kill('SIGTERM')).toBe(0);
    // The grace period is 2 s here (ENVSYNC_STOP_GRACE_SECONDS).
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(app.current()).toContain('jobs still running were handed back to the queue');

    world.github.fault = undefined;
    await app.start();
    await app.until('the check finished by the new process', () => app.done('check-pull-request') > 0);
    expect(world.github.checks.filter((c) => c.head_sha === head).map((c) => c.name)).toEqual(['envsync/validate', 'envsync/plan', 'envsync/approval: hook/onInit/change-approval']);
  }, 60_000);
});

describe('the webhook endpoint', () => {
  /** Resident memory as the server reports it. */
  const rss = async () => Number(/^envsync_process_resident_memory_bytes (\d+)/m.exec(await (await fetch(`${app.url}/metrics`)).text())![1]);

  const postRaw = (headers: Record<string, string | number>, chunks: () => Iterable<Buffer>) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${app.url}/api/github/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'huge', 'x-hub-signature-256': 'sha256=00', ...headers } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      // The server answers and drops the connection before the body is sent whole.
      req.on('error', (e) => (e.message.includes('EPIPE') || e.message.includes('ECONNRESET') ? undefined : reject(e)));
      void (async () => {
        for (const chunk of chunks()) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        req.end();
      })().catch(() => undefined);
    });

  it('answers 413 to a 30 MB body before reading it, with the server\'s memory unchanged, and logs no body', async () => {
    const mb = Buffer.alloc(1024 * 1024, 'x');
    const head = Buffer.from('{"marker":"BODY-CANARY-1","pad":"');
    const before = await rss();
    const status = await postRaw({ 'content-length': head.length + 30 * mb.length }, function* () {
      yield head;
      for (let i = 0; i < 30; i++) yield mb;
    });
    expect(status).toBe(413);
    const after = await rss();
    expect(after - before).toBeLessThan(10 * 1024 * 1024);
    expect(app.log).not.toContain('BODY-CANARY-1');
  });

  it('answers 413 however the path is spelled (Probot matches a trailing slash too)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${app.url}/api/github/webhooks/`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'slash', 'x-hub-signature-256': 'sha256=00', 'content-length': 26 * 1024 * 1024 } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(Buffer.alloc(26 * 1024 * 1024, 'x'));
    });
    expect(status).toBe(413);
  });

  it('answers 413 to a chunked body once it passes 25 MB', async () => {
    const mb = Buffer.alloc(1024 * 1024, 'x');
    const status = await postRaw({ 'transfer-encoding': 'chunked' }, function* () {
      yield Buffer.from('{"marker":"BODY-CANARY-2","pad":"');
      for (let i = 0; i < 30; i++) yield mb;
    });
    expect(status).toBe(413);
    expect(app.log).not.toContain('BODY-CANARY-2');
  });
});

describe('a delivery', () => {
  it('whose signature does not match is refused, and makes no job', async () => {
    const res = await fetch(`${app.url}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'forged', 'x-hub-signature-256': 'sha256=00' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(app.current()).not.toContain('"delivery":"forged"');
  });

  it('about a head that is no longer the pull request\'s head checks nothing', async () => {
    const webhooks = world.webhooks(app);
    const [done, checks] = [app.done('check-pull-request'), world.github.checks.length];
    expect(await webhooks.pullRequest('synchronize', { number: 1, head: world.base, headRef: 'change', base: world.base, author: 'alice' })).toBe(200);
    await app.until('the stale event handled', () => app.done('check-pull-request') > done);
    expect(app.current()).toContain('is no longer the pull request\'s head');
    expect(world.github.checks).toHaveLength(checks);
  });
});

describe('an operator', () => {
  it('asks whether the server lives, may take traffic, and how it does', async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'alive' });
    expect(await (await fetch(`${app.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    for (const name of ['envsync_jobs{state="pending"}', 'envsync_jobs_oldest_pending_seconds', 'envsync_job_duration_seconds_count{task="check-pull-request",outcome="succeeded"}', 'envsync_github_requests_total{method="GET",status="200"}', 'envsync_runs{status="waiting"}']) {
      expect(metrics).toContain(name);
    }
  });
});
