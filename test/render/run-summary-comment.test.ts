// The app's summary comment of a finished run, as followWorkflowRun posts it from the results the
// runner uploaded: a run of 1,000 activities with 3 failed still fits in one comment GitHub takes
// (65,536 characters), and leads with the 3 failures and the last lines of their logs.
import { zipSync } from 'fflate';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { followWorkflowRun } from '../../src/flows/runs/follow-workflow-run.js';
import { MemoryPort } from '../../src/github/memory-port.js';
import { COMMENT_LIMIT } from '../../src/render/fit.js';
import type { RunResults } from '../../src/runner/contract.js';
import { openStore, type Store } from '../../src/system/store.js';

const repo = { owner: 'acme', repo: 'config' };
let store: Store;
let github: MemoryPort;

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  github = new MemoryPort();
});
afterEach(() => store.close());

const FAILED = [40, 512, 977];

/** 1,000 activities, 3 of them failed with a reason far too long and a log tail as long as a runner keeps. */
const fleetResults = (): RunResults => ({
  project: 'shop',
  environment: 'dev',
  action: 'deploy',
  revision: 'r1',
  status: 'failure',
  activities: Array.from({ length: 1000 }, (_, i) =>
    FAILED.includes(i)
      ? { id: `resource/r${i}/apply`, type: 'stage', dependsOn: [], status: 'failure', attempts: 1, startedAt: 0, finishedAt: 30_000, reason: 'y'.repeat(20_000), logTail: Array.from({ length: 20 }, (_, n) => `r${i} ${n} ${'z'.repeat(90)}`) }
      : { id: `resource/r${i}/apply`, type: 'stage', dependsOn: i > 0 ? [`resource/r${i - 1}/apply`] : [], status: i < 500 ? 'success' : 'skipped', attempts: 1, startedAt: 0, finishedAt: 40, reason: 'r'.repeat(300) },
  ),
  outputs: {},
});

it('of a run of 1,000 activities with 3 failures fits in one comment and leads with the failures and their log tails', async () => {
  await store.createRun(
    { id: 'big', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'in_progress', activities: [], outputs: {} },
    { repo: 'acme/config', dispatch: { order: 0, environment: 'shop/dev', action: 'deploy', branch: 'main', workflow: 'envsync-run.yml', sha: 'r1', gates: [], after: [], labels: [], approvals: [] } },
  );
  github.workflowRuns.push({ id: 7, status: 'completed', conclusion: 'failure', displayTitle: 'envsync deploy shop/dev (run big)', htmlUrl: 'https://github.example/runs/7' });
  github.artifacts.push({ id: 70, run: 7, name: 'envsync-results-big', zip: zipSync({ 'envsync-results.json': new TextEncoder().encode(JSON.stringify(fleetResults())) }) });

  const event = { action: 'completed', workflow_run: { id: 7, display_title: 'envsync deploy shop/dev (run big)', conclusion: 'failure', html_url: 'https://github.example/runs/7' }, repository: { name: repo.repo, owner: { login: repo.owner } } };
  expect(await followWorkflowRun(github, store, event)).toEqual({ run: 'big', status: 'failure' });

  const [posted] = github.comments;
  expect(github.comments).toHaveLength(1);
  const body = posted!.body;
  expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
  const headings = body.split('\n').filter((l) => l.startsWith('#'));
  expect(headings).toEqual(['### envsync deploy of `shop/dev`: failure', ...FAILED.map((i) => `#### ❌ \`resource/r${i}/apply\` · stage · 30.0 s`)]);
  for (const i of FAILED) expect(body).toContain(`\n\`\`\`\n${Array.from({ length: 20 }, (_, n) => `r${i} ${n} ${'z'.repeat(90)}`).join('\n')}\n\`\`\`\n`);
  expect(body.indexOf('#### ❌')).toBeLessThan(body.indexOf('<details>'));
  expect(body).toContain('\n1000 activities in 30.0 s: 3 failed, 499 succeeded, 498 skipped.\n');
  expect(body).toMatch(/\n\d+ more activities not shown: the job summary of the workflow run has every row\.\n\n<\/details>\n\n\[Workflow run\]\(https:\/\/github\.example\/runs\/7\)\n<!-- envsync:run big -->\n$/);
});
