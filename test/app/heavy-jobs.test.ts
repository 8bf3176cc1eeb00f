// Heavy jobs (a pull request's check reads and validates a whole revision) run through a bounded
// pool: with ENVSYNC_HEAVY_JOBS=1 the second check starts only once the first has ended, while a
// light job (a comment's command) runs beside them.
import { afterEach, expect, it } from 'vitest';
import { createWorker, heavyJobsFrom } from '../../src/app/worker.js';
import type { GitHubPort } from '../../src/github/port.js';
import { SystemService } from '../../src/system/service.js';
import { openStore, type Store } from '../../src/system/store.js';
import { waitFor } from '../../demo/sandbox.js';

let store: Store | undefined;
afterEach(() => store?.close());

const repo = { owner: 'acme', repo: 'config' };
const silent = { info: () => undefined, debug: () => undefined };
const job = (id: string, task: string, payload: unknown) => ({ id, task, payload, attempt: 1, signal: new AbortController().signal, fence: async () => undefined });

it('runs one check at a time with a pool of one, and a light job beside it', async () => {
  store = await openStore({ url: ':memory:' });
  await store.followRepository('acme/config');
  const events: string[] = [];
  const release = new Map<string, () => void>();
  const enter = async (what: string) => {
    events.push(`enter ${what}`);
    await new Promise<void>((resolve) => release.set(what, resolve));
    events.push(`leave ${what}`);
    throw new Error('stopped here: the test looks only at when the job ran');
  };
  // The checks' first request is for their pull request; whatever the command asks first stands for it.
  const port = new Proxy({}, { get: (_, method) => (method === 'then' ? undefined : (_repo: unknown, number: number) => enter(method === 'getPullRequest' ? `check ${number}` : 'command')) }) as GitHubPort;
  const worker = createWorker({ service: new SystemService(store), portFor: async () => port, log: silent, driftMinutes: 0, heavyJobs: 1 });
  const check = (n: number) => worker(job(`c${n}`, 'check-pull-request', { installation: 1, repo, number: n })).catch(() => undefined);
  const comment = { issue: { number: 3, pull_request: true }, comment: { id: 9, body: '/help', user: { login: 'carol', type: 'User' } }, repository: { name: 'config', owner: { login: 'acme' } } };
  const running = [check(1), check(2), worker(job('k', 'command', { installation: 1, event: comment })).catch(() => undefined)];

  await waitFor('the first check and the command to start', () => release.has('check 1') && release.has('command'));
  release.get('command')!();
  release.get('check 1')!();
  await waitFor('the second check to start', () => release.has('check 2'));
  release.get('check 2')!();
  await Promise.all(running);
  expect(events.filter((e) => e.includes('check'))).toEqual(['enter check 1', 'leave check 1', 'enter check 2', 'leave check 2']);
  expect(events.indexOf('enter command')).toBeLessThan(events.indexOf('leave check 1'));
});

it('sizes the pool from the setting, or from the cores and the heap', () => {
  expect(heavyJobsFrom({ ENVSYNC_HEAVY_JOBS: '3' })).toBe(3);
  const fallback = heavyJobsFrom({});
  expect(fallback).toBeGreaterThanOrEqual(1);
  expect(heavyJobsFrom({ ENVSYNC_HEAVY_JOBS: '0' })).toBe(fallback);
});
