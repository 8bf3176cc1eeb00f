// `envsync jobs list|retry`, in-process against a store the app would share: what waits, what
// failed for good and why, and a retry that queues it again; usage errors exit 2.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { openStore } from '../../src/system/store.js';

let dir = '';
let url = '';

const run = (...argv: string[]) => runCli(dir, argv);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'envsync-jobs-'));
  url = `sqlite:${join(dir, 'store.db')}`;
  // What the app would have left: a push that failed for good (GitHub down), and a check waiting.
  const store = await openStore({ url, queue: { maxAttempts: 1, pollMs: 20 } });
  await store.acceptDelivery({ id: 'push-1', event: 'push' }, { task: 'apply-push', queue: 'acme/config', payload: {} });
  await store.jobs.start(
    async () => {
      throw new Error('GitHub answered 502 Bad Gateway\nat the tarball');
    },
    { concurrency: 1, tasks: ['apply-push'] },
  );
  await store.jobs.idle();
  await store.jobs.stop(1000);
  await store.acceptDelivery({ id: 'pr-2', event: 'pull_request' }, { task: 'check-pull-request', queue: 'acme/config#2', payload: {}, runAt: new Date('2099-01-01T00:00:00Z') });
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('envsync jobs', () => {
  it('lists every job with its state, attempts and the first line of its last error', async () => {
    const { code, stdout } = await run('jobs', 'list', '--store', url);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^1\tfailed\tapply-push\tacme\/config\tdelivery:push-1\tattempts 1\/1\t\S+ {2}Error: GitHub answered 502 Bad Gateway$/),
      '2\tpending\tcheck-pull-request\tacme/config#2\tdelivery:pr-2\tattempts 0/1\truns at 2099-01-01T00:00:00.000Z',
    ]);
  });

  it('lists the jobs of one state, as JSON for scripts', async () => {
    const { code, stdout } = await run('jobs', 'list', '--state', 'failed', '--format', 'json', '--store', url);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ jobs: [expect.objectContaining({ id: '1', state: 'failed', task: 'apply-push', attempts: 1, maxAttempts: 1, lastError: 'Error: GitHub answered 502 Bad Gateway\nat the tarball' })] });
  });

  it('queues the failed jobs again, their attempts reset, and says so', async () => {
    const { code, stdout } = await run('jobs', 'retry', '--failed', '--store', url);
    expect(code).toBe(0);
    expect(stdout).toBe('job 1 queued to run now\n');
    const { stdout: after } = await run('jobs', 'list', '--state', 'failed', '--store', url);
    expect(after).toBe('no jobs\n');
    const { stdout: pending } = await run('jobs', 'list', '--state', 'pending', '--format', 'json', '--store', url);
    expect((JSON.parse(pending) as { jobs: { id: string; attempts: number; lastError: null }[] }).jobs.map((j) => [j.id, j.attempts, j.lastError])).toEqual([
      ['1', 0, null],
      ['2', 0, null],
    ]);
  });

  it('says which job it could not queue, with exit code 1', async () => {
    const { code, stderr } = await run('jobs', 'retry', '99', '--store', url);
    expect(code).toBe(1);
    expect(stderr).toBe('envsync: job 99 was not queued: it is running, or there is no such job (envsync jobs list)\n');
  });

  it.each([
    [['jobs', 'list', '--state', 'stuck'], '--state must be one of pending, running, failed, not "stuck"'],
    [['jobs', 'retry'], 'name the jobs to retry (envsync jobs list shows their ids), or give --failed'],
    [['jobs', 'purge'], 'unknown jobs command "purge": use list or retry (envsync jobs --help)'],
  ])('exits 2 with a message on a usage error: %j', async (argv, message) => {
    const { code, stderr } = await run(...argv, '--store', url);
    expect(code).toBe(2);
    expect(stderr).toBe(`envsync: ${message}\nRun \`envsync --help\` for usage.\n`);
  });

  it('prints its own help, exit 0', async () => {
    const { code, stdout } = await run('jobs', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^envsync jobs: the app's job queue/);
  });
});
