// Signed events whose fields are not what GitHub documents: each is skipped, saying which field,
// and never becomes a job that fails later or an error that GitHub would see as a 500 and redeliver
// in vain. Every handled example of GitHub's, with any field of it broken, is proven so.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createEnvsyncApp } from '../../src/app/index.js';
import { SystemService } from '../../src/system/service.js';
import { jobOfWebhook, type Intake } from '../../src/app/jobs.js';
import { openStore, type Store } from '../../src/system/store.js';
import { commentCreated, pullRequestOpened } from '../helpers/github-fixtures.js';
import { testProbot } from '../helpers/probot.js';

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: Payload[] }[];
const HANDLED = ['pull_request', 'check_run', 'issue_comment', 'push', 'workflow_run'];
const WRONG: unknown[] = [null, 0, -1, 1.5, '', 'x', [], {}, true];

/** Every path to a field of `value`, to `depth` levels. */
function paths(value: unknown, depth: number, prefix: string[] = []): string[][] {
  if (depth === 0 || value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...paths(child, depth - 1, [...prefix, key])]);
}
/** Calls `use` with the field at `path` set to `wrong`, then puts it back (cloning each case would take minutes). */
function withBroken<T>(payload: Payload, path: string[], wrong: unknown, use: (p: Payload) => T): T {
  let at = payload;
  for (const key of path.slice(0, -1)) at = at[key];
  const key = path.at(-1)!;
  const kept = at[key];
  at[key] = wrong;
  try {
    return use(payload);
  } finally {
    at[key] = kept;
  }
}
/** What a job needs of its payload, checked the way the worker reads it. */
function wellFormed(intake: Intake): boolean {
  if ('skip' in intake) return true;
  const p = intake.job.payload as Payload;
  const positive = (n: unknown) => Number.isSafeInteger(n) && (n as number) > 0;
  if (!positive(p.installation)) return false;
  switch (intake.job.task) {
    case 'check-pull-request':
      return positive(p.number) && (p.headSha === undefined || typeof p.headSha === 'string');
    case 'command':
      return positive(p.event.issue.number) && positive(p.event.comment.id) && typeof p.event.comment.body === 'string' && typeof p.event.comment.user.login === 'string';
    case 'apply-push':
      return /^[0-9a-f]{40}$/.test(p.event.after) && typeof p.event.repository.default_branch === 'string';
    case 'follow-workflow-run':
      return positive(p.event.workflow_run.id) && typeof p.event.workflow_run.html_url === 'string';
    default:
      return false;
  }
}

it('never throws on, nor makes a job of, any handled example of GitHub with one field of the wrong type', () => {
  const problems: string[] = [];
  let cases = 0;
  for (const { name, examples: payloads } of examples.filter((e) => HANDLED.includes(e.name))) {
    // One example per action: the fields differ by action, hardly within one.
    const perAction = [...new Map(payloads.map((p) => [p.action, p])).values()];
    for (const example of perAction) {
      // An installation, a pull request for a re-run, and a command: the examples then reach the jobs.
      const base: Payload = structuredClone({ ...example, installation: { id: 1 } });
      if (name === 'check_run') base.check_run = { ...base.check_run, pull_requests: [{ number: 7 }] };
      if (name === 'issue_comment') base.comment = { ...base.comment, body: '/approve' };
      if (name === 'workflow_run') base.workflow_run = { ...base.workflow_run, display_title: 'envsync deploy payments/dev (run abc-payments-dev-deploy)' };
      for (const path of paths(base, 3)) {
        for (const wrong of WRONG) {
          cases++;
          try {
            if (!wellFormed(withBroken(base, path, wrong, (p) => jobOfWebhook(name, p)))) problems.push(`${name} ${path.join('.')} = ${JSON.stringify(wrong)}: a job with a malformed payload`);
          } catch (e) {
            problems.push(`${name} ${path.join('.')} = ${JSON.stringify(wrong)}: ${(e as Error).message}`);
          }
        }
      }
    }
  }
  expect(cases).toBeGreaterThan(5_000);
  expect(problems).toEqual([]);
});

it('says which field of a signed event is wrong', () => {
  const installation = { id: 1 };
  expect(jobOfWebhook('pull_request', { ...pullRequestOpened('a'.repeat(40), 'b'.repeat(40)), installation, number: 'two' })).toEqual({ skip: "the pull_request.opened event's number is not what GitHub sends: ignored" });
  expect(jobOfWebhook('issue_comment', { ...commentCreated('/approve', 'reviewer'), installation, comment: { id: 9, body: '/approve', user: null } })).toEqual({ skip: "the issue_comment.created event's comment.user is not what GitHub sends: ignored" });
});

let work: string;
let store: Store;
let app: ReturnType<typeof createEnvsyncApp>;
beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'envsync-malformed-'));
  store = await openStore({ url: `sqlite:${join(work, 'store.db')}`, queue: { pollMs: 50 } });
  await store.followRepository('Codertocat/Hello-World');
  app = createEnvsyncApp({ system: new SystemService(store), driftMinutes: 0, appId: 123 });
});
afterEach(async () => {
  await app.running()?.stop();
  await store.close();
  rmSync(work, { recursive: true, force: true });
});

it('answers a signed event without a repository, or with a wrong field, with success and records no delivery', async () => {
  const probot = testProbot();
  await probot.load(app.appFn, { cwd: process.cwd(), addHandler: () => {} });
  const opened: Payload = { ...pullRequestOpened('a'.repeat(40), 'b'.repeat(40)), installation: { id: 1 } };
  const { repository: _, ...withoutRepository } = opened;
  for (const [id, payload] of [
    ['no-repository', withoutRepository],
    ['number-text', { ...opened, number: 'two' }],
    ['comment-without-user', { ...commentCreated('/approve', 'x'), installation: { id: 1 }, comment: { id: 9, body: '/approve' } }],
  ] as const) {
    const name = id === 'comment-without-user' ? 'issue_comment' : 'pull_request';
    const body = JSON.stringify(payload);
    // verifyAndReceive is what Probot's HTTP middleware calls: a rejection there is a 500.
    await expect(probot.webhooks.verifyAndReceive({ id, name, payload: body, signature: await probot.webhooks.sign(body) })).resolves.toBeUndefined();
  }
  expect((await store.jobs.list()).filter((j) => j.task !== 'prune')).toEqual([]);
});
