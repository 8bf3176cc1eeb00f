// The durable job queue, on both backends: one job at a time per queue and in order, retries with
// backoff then a visible failure that can be retried, keys that coalesce, deliveries accepted once
// and requeued after a failure, a worker process killed mid-job whose job is taken again after the
// lease, and a stop bounded by its grace period.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningJob } from '../../src/system/jobs/queue.js';
import { openStore, type Store } from '../../src/system/store.js';
import { waitFor } from '../../demo/sandbox.js';
import { postgresBackend, sqliteBackend } from './backends.js';

const WORKER = fileURLToPath(new URL('../fixtures/processes/job-worker.mjs', import.meta.url));
const FAST = { leaseSeconds: 1, pollMs: 50, maxAttempts: 3 };

describe.each([sqliteBackend(), postgresBackend()])('the job queue on $name', (backend) => {
  const stores: Store[] = [];
  const open = async (url: string, queue = FAST) => {
    const store = await openStore({ url, queue });
    stores.push(store);
    return store;
  };

  beforeAll(() => backend.start());
  afterAll(() => backend.stop());
  afterEach(async () => {
    for (const store of stores.splice(0)) {
      await store.jobs.stop(1000);
      await store.close();
    }
  });

  it('runs the jobs of one queue one at a time and in order, and other queues beside them', async () => {
    const store = await open(await backend.fresh());
    const log: string[] = [];
    let releaseA!: () => void;
    const aBlocked = new Promise<void>((r) => (releaseA = r));
    for (let i = 1; i <= 3; i++) await store.jobs.add({ task: 'work', queue: 'acme/config', payload: { name: `config-${i}` } });
    await store.jobs.add({ task: 'work', queue: 'acme/other', payload: { name: 'other-1' } });
    await store.jobs.start(
      async (job) => {
        const { name } = job.payload as { name: string };
        log.push(`start ${name}`);
        if (name === 'config-1') await aBlocked;
        log.push(`end ${name}`);
      },
      { concurrency: 4, tasks: ['work'] },
    );
    await waitFor('the other queue to run beside the blocked one', () => log.includes('end other-1'));
    expect(log.filter((l) => l.includes('config'))).toEqual(['start config-1']);
    releaseA();
    await store.jobs.idle();
    expect(log.filter((l) => l.includes('config'))).toEqual(['start config-1', 'end config-1', 'start config-2', 'end config-2', 'start config-3', 'end config-3']);
    expect(await store.jobs.list()).toEqual([]);
  });

  it('retries a failing job with backoff, keeps it as failed after its last attempt, and runs it again on retry', async () => {
    const store = await open(await backend.fresh(), { ...FAST, maxAttempts: 2 });
    const attempts: number[] = [];
    let healthy = false;
    const finals: boolean[] = [];
    await store.jobs.start(
      async (job: RunningJob) => {
        attempts.push(job.attempt);
        if (!healthy) throw new Error(`GitHub answered 502 (attempt ${job.attempt})`);
      },
      { concurrency: 1, tasks: ['flaky'], onEvent: (e) => e.type === 'failed' && finals.push(e.final) },
    );
    await store.jobs.add({ task: 'flaky', queue: 'acme/config', payload: {} });
    const job = await waitForAsync(async () => (await store.jobs.list({ state: 'failed' }))[0]);
    expect(attempts).toEqual([1, 2]);
    expect(finals).toEqual([false, true]);
    expect(job).toMatchObject({ task: 'flaky', queue: 'acme/config', state: 'failed', attempts: 2, maxAttempts: 2, lastError: 'Error: GitHub answered 502 (attempt 2)' });
    expect(await store.jobs.stats()).toMatchObject({ pending: 0, running: 0, failed: 1 });

    healthy = true;
    expect(await store.jobs.retry(job.id)).toBe(true);
    await waitForAsync(async () => (await store.jobs.list()).length === 0 || undefined);
    expect(attempts).toEqual([1, 2, 1]);
  });

  it('keeps one pending job per key: the payload replaced, or with keepRunAt arrays gathered in the first window', async () => {
    const store = await open(await backend.fresh());
    const later = new Date(Date.now() + 60_000);
    await store.jobs.add({ task: 'sync', queue: 'acme/config', key: 'sync', payload: ['alice'], runAt: later, keepRunAt: true });
    await store.jobs.add({ task: 'sync', queue: 'acme/config', key: 'sync', payload: ['bob'], runAt: new Date(Date.now() + 120_000), keepRunAt: true });
    await store.jobs.add({ task: 'check', queue: 'acme/config#1', key: 'check', payload: { head: 'a' } });
    await store.jobs.add({ task: 'check', queue: 'acme/config#1', key: 'check', payload: { head: 'b' } });
    const jobs = await store.jobs.list();
    expect(jobs.map((j) => [j.task, j.key, j.state])).toEqual([
      ['sync', 'sync', 'pending'],
      ['check', 'check', 'pending'],
    ]);
    expect(Date.parse(jobs[0]!.runAt)).toBe(later.getTime());
    const seen: unknown[] = [];
    await store.jobs.start(async (job) => void seen.push(job.payload), { concurrency: 1, tasks: ['check'] });
    await waitForAsync(async () => seen.length === 1 || undefined);
    expect(seen).toEqual([{ head: 'b' }]);
    // Done and gone (graphile-worker deletes a finished job a moment after it returns).
    await waitForAsync(async () => !(await store.jobs.has('check')) || undefined);
    expect(await store.jobs.has('sync')).toBe(true);
  });

  it('accepts a delivery once, and queues it again when its job failed for good', async () => {
    const store = await open(await backend.fresh(), { ...FAST, maxAttempts: 1 });
    const job = { task: 'push', queue: 'acme/config', payload: { after: 'abc' } };
    expect(await store.acceptDelivery({ id: 'd-1', event: 'push' }, job)).toBe('queued');
    expect(await store.acceptDelivery({ id: 'd-1', event: 'push' }, job)).toBe('duplicate');
    const raced = await Promise.all(Array.from({ length: 6 }, () => store.acceptDelivery({ id: 'd-2', event: 'push' }, job)));
    expect(raced.filter((o) => o === 'queued')).toHaveLength(1);
    let fail = true;
    const ran: string[] = [];
    await store.jobs.start(
      async (j) => {
        ran.push(j.id);
        if (fail) throw new Error('boom');
      },
      { concurrency: 1, tasks: ['push'] },
    );
    await waitForAsync(async () => (await store.jobs.list({ state: 'failed' })).length === 2 || undefined);
    fail = false;
    expect(await store.acceptDelivery({ id: 'd-1', event: 'push' }, job)).toBe('requeued');
    await waitForAsync(async () => (await store.jobs.list()).length === 1 || undefined);
    expect((await store.jobs.list()).map((j) => j.key)).toEqual(['delivery:d-2']);
    expect(await store.acceptDelivery({ id: 'd-1', event: 'push' }, job)).toBe('duplicate');
  });

  it('takes again, after the lease, the job of a worker process killed while running it', async () => {
    const url = await backend.fresh();
    const store = await open(url);
    await store.jobs.add({ task: 'hang', queue: 'acme/config', payload: 'the-job' });
    await store.jobs.add({ task: 'hang', queue: 'acme/config', payload: 'the-next-job' });
    let out = '';
    const child = spawn(process.execPath, [WORKER, url, '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => (out += d));
    await waitFor('the worker process to take the job', () => out.includes('took "the-job"'), 20_000);
    expect(await store.jobs.stats()).toMatchObject({ running: 1, pending: 1 });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const taken: unknown[] = [];
    await store.jobs.start(async (job) => void taken.push(job.payload), { concurrency: 2, tasks: ['hang'] });
    await waitForAsync(async () => taken.length === 2 || undefined, 20_000);
    // The same job, then the one queued behind it: the order of the queue survives the crash.
    expect(taken).toEqual(['the-job', 'the-next-job']);
  });

  it('fences out a worker that stalled past its lease: its next effect is refused while the worker that took the job acts, and the queue moves on', async () => {
    const url = await backend.fresh();
    const store = await open(url);
    await store.jobs.add({ task: 'hang', queue: 'acme/config', payload: { sleepMs: 1500 } });
    await store.jobs.add({ task: 'hang', queue: 'acme/config', payload: 'next' });
    let out = '';
    const child = spawn(process.execPath, [WORKER, url, '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => (out += d));
    await waitFor('the worker process to take the job', () => out.includes('took {"sleepMs":1500}'), 20_000);
    // Stalled (a stopped process, a blocked event loop): no heartbeat, but it lives on.
    child.kill('SIGSTOP');
    const taken: unknown[] = [];
    let releaseTaken!: () => void;
    const takenHeld = new Promise<void>((r) => (releaseTaken = r));
    await store.jobs.start(
      async (job) => {
        await job.fence();
        taken.push(job.payload);
        // The live worker holds the job while the stalled one wakes up.
        if (taken.length === 1) await takenHeld;
      },
      { concurrency: 1, tasks: ['hang'] },
    );
    await waitForAsync(async () => taken.length === 1 || undefined, 20_000, 'the job taken by the live worker');
    // It wakes up and reaches its effect: the fence refuses it, as the other worker holds the job.
    child.kill('SIGCONT');
    await waitFor('the stalled worker to be fenced out', () => out.includes('failed:'), 20_000);
    expect(out).toMatch(/failed: job \d+ was taken back from this worker before it finished/);
    expect(out).not.toContain('finished\n');
    // (Gone before the next job, which it would take and, being this test's worker, never finish.)
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    releaseTaken();
    await waitForAsync(async () => taken.length === 2 || undefined, 20_000, 'the next job taken by the live worker');
    expect(taken).toEqual([{ sleepMs: 1500 }, 'next']);
    await store.jobs.add({ task: 'hang', queue: 'acme/config', payload: 'after' });
    await waitForAsync(async () => taken.length === 3 || undefined, 20_000, 'a job added afterwards to run');
    expect(taken.at(-1)).toBe('after');
    // Taken is not yet done: the job is deleted once its handler has returned.
    await store.jobs.idle();
    expect(await store.jobs.list()).toEqual([]);
  });

  it('stops within its grace period while a job hangs, and hands the job back without counting the attempt', async () => {
    const store = await open(await backend.fresh());
    await store.jobs.add({ task: 'hang', queue: 'acme/config', payload: 'stuck' });
    let started = false;
    await store.jobs.start(
      async () => {
        started = true;
        await new Promise(() => undefined);
      },
      { concurrency: 1, tasks: ['hang'] },
    );
    await waitFor('the job to start', () => started);
    const before = Date.now();
    expect(await store.jobs.stop(300)).toBe(false);
    expect(Date.now() - before).toBeLessThan(5_000);
    expect((await store.jobs.list()).map((j) => [j.state, j.attempts])).toEqual([['pending', 0]]);
  });
});

/** Polls an async probe until it gives a value. */
async function waitForAsync<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'a condition'): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
