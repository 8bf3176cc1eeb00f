// The acceptance test: envsync's whole loop, end to end, as demo/story.ts plays it. The real app
// server process, signed webhooks over HTTP, a fake GitHub backed by real git repositories that
// records every request, the runner workflow carried out as Actions would with the real
// `envsync run`, and the system API. A canary secret planted in the specs must come out nowhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEW_OWNER, Story } from '../../demo/story.js';
import { FAKE_BOT } from '../../demo/fake-github.js';

const CANARY = 'CANARY-story-5f3e9a';
const APPROVAL = 'envsync/approval: hook/onInit/change-approval';
let work: string;
let story: Story;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'envsync-story-'));
  // At trace, the most a log says: the canary search covers every line the app could write.
  story = new Story({ work, canary: CANARY, logLevel: 'trace' });
  await story.start();
}, 60_000);

afterAll(async () => {
  await story?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the whole loop, PR to runs to bot PR', () => {
  let number: number;
  let head: string;

  it('1. fails envsync/validate on a pull request that breaks a spec, with an annotation on the exact line', async () => {
    const opened = await story.openBrokenPullRequest();
    number = opened.number;
    expect(opened.validate.conclusion).toBe('failure');
    expect(opened.validate.annotations).toEqual([
      {
        path: 'projects/payments/environments/dev.yaml',
        start_line: 18,
        end_line: 18,
        start_column: 12,
        end_column: 12,
        annotation_level: 'failure',
        title: 'envsync override-restricted',
        message: 'variable "replicas" is "3", but EnvironmentTemplate "web-stack" restricts it to: "1", "2", "4": did you mean "1"?',
      },
    ]);
    expect(opened.comment.body).toContain('### envsync: the head does not validate');
  });

  it('2. updates the plan comment in place once a push fixes it, and leaves the approval check pending', async () => {
    const before = story.planComment(number)!;
    const fixed = await story.pushFix(number);
    head = fixed.head;
    expect(fixed.comment.id).toBe(before.id);
    expect(fixed.comment.edits).toBeGreaterThanOrEqual(1);
    expect(story.github.comments.filter((c) => c.issue === number && c.user.type === 'Bot')).toHaveLength(1);
    expect(fixed.comment.body).not.toContain('does not validate');
    expect(fixed.comment.body).toContain('| <code>payments/dev</code> | deploy | environment changed<br>EnvironmentTemplate <code>payments/web-stack</code> v1 changed | <code>hook/onInit/change-approval</code> |');
    expect(fixed.comment.body).toContain('| <code>payments/staging</code> | deploy | EnvironmentTemplate <code>payments/web-stack</code> v1 changed | <code>hook/onInit/change-approval</code> |');
    expect(fixed.checks.map((c) => [c.name, c.status, c.conclusion])).toEqual([
      ['envsync/validate', 'completed', 'success'],
      ['envsync/plan', 'completed', 'success'],
      [APPROVAL, 'queued', null],
    ]);
  });

  it('3. refuses /approve from the author and from a reader, and accepts it from an approver', async () => {
    const author = await story.approve(number, 'alice', head);
    expect(author.replyText).toBe('@alice, the author of a pull request cannot approve it: ask a reviewer with write access or a listed approver.');
    const reader = await story.approve(number, 'bob', head);
    expect(reader.replyText).toBe('@bob, your approval does not count: it needs write access to this repository (you have read) or a place among the approvers of `.github/envsync.yml`.');
    expect(reader.gate.conclusion).toBeNull();
    const approver = await story.approve(number, 'carol', head);
    expect(approver.reply).toBeUndefined();
    expect(approver.gate).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: 'approved by @carol' } });
  });

  let merge: string;
  it('4. on merge, applies the revision, dispatches a run per environment, runs them as the runner workflow would, and marks the deployments successful', async () => {
    const merged = await story.merge(number);
    merge = merged.merge;
    const { data: template } = await story.api('GET', '/resources/EnvironmentTemplate/payments/web-stack?version=v1');
    expect(JSON.stringify(template.spec)).toContain('ghcr.io/example/preflight:3');
    expect(merged.dispatches.map((d) => [d.workflow, d.ref, d.inputs.environment, d.inputs.action, d.inputs.sha, d.inputs.approved])).toEqual([
      ['envsync-run.yml', 'main', 'payments/dev', 'deploy', merge, 'hook/onInit/change-approval'],
      ['envsync-run.yml', 'main', 'payments/staging', 'deploy', merge, 'hook/onInit/change-approval'],
    ]);

    const runs = await story.runDispatched();
    expect(runs.map((r) => [r.result.title, r.result.conclusion, r.result.artifacts])).toEqual(
      ['dev', 'staging'].map((env) => [`envsync deploy payments/${env} (run ${merge.slice(0, 12)}-payments-${env}-deploy)`, 'success', [`envsync-results-${merge.slice(0, 12)}-payments-${env}-deploy`]]),
    );
    // envsync run took the merged commit and the approval from the dispatch, and ran the new preflight image.
    expect(runs[0]!.result.log).toContain('success: payments/dev deploy; results in envsync-results.json');
    expect(runs[0]!.result.log).toContain('ghcr.io/example/preflight:3');
    expect(JSON.parse(runs[0]!.written['envsync-results.json']!)).toMatchObject({ revision: merge, status: 'success' });
    expect(story.github.deployments.filter((d) => d.ref === merge).map((d) => [d.environment, d.statuses.map((s) => s.state)])).toEqual([
      ['payments/dev', ['queued', 'in_progress', 'success']],
      ['payments/staging', ['queued', 'in_progress', 'success']],
    ]);
    // Links point at the GitHub the app talks to (GHE_HOST), not at github.com.
    expect(story.github.deployments.filter((d) => d.ref === merge).map((d) => d.statuses[0]!.log_url)).toEqual([
      `${story.github.webRoot}/acme/config/actions/workflows/envsync-run.yml`,
      `${story.github.webRoot}/acme/config/actions/workflows/envsync-run.yml`,
    ]);
    const summary = story.runSummary(runs[0]!)!;
    expect(summary.issue).toBe(number);
    expect(summary.body).toContain('### envsync deploy of `payments/dev`: success');
    expect(summary.body).toContain('```mermaid\nflowchart TD');
  }, 120_000);

  let bot: number;
  it('5. opens a bot pull request for an environment changed through the system API, whose diff is exactly the changed line', async () => {
    const changed = await story.changeThroughApi();
    expect(changed.status).toBe(200);
    bot = changed.pull.number;
    expect(changed.pull).toMatchObject({ author: 'envsync[bot]', base: 'main', head: 'envsync/system-sync/main', state: 'open' });
    expect(changed.diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l))).toEqual(['-    value: payments-sre', `+    value: ${NEW_OWNER}`]);
    expect(changed.diff).toContain('projects/payments/environments/staging.yaml');
    // Sent without an author, the commit is the app's bot account's (which GitHub signs).
    expect(story.github.git(['log', '-1', '--format=%an <%ae> / %cn <%ce>', 'envsync/system-sync/main'])).toBe(`${FAKE_BOT.name} <${FAKE_BOT.email}> / ${FAKE_BOT.name} <${FAKE_BOT.email}>`);
  });

  it('6. merging the bot pull request starts no run and opens no pull request', async () => {
    const counts = () => [story.github.dispatches.length, story.github.deployments.length, story.github.pulls.length, story.github.comments.length];
    const before = counts();
    const requests = story.github.requests.length;
    const merged = await story.mergeBotPullRequest(bot);
    // The system held the change already: applying the merge changes nothing.
    expect(merged.applied).toContain('"created":0,"updated":0,"deleted":0');
    expect(counts()).toEqual(before);
    // The app only read: the configuration and the merged revision, nothing written anywhere.
    expect(story.github.requests.slice(requests).filter((r) => r.method !== 'GET' && !r.path.endsWith('/access_tokens'))).toEqual([]);
  });

  it('7. does nothing twice when every webhook of the story is delivered again', async () => {
    expect(story.webhooks.deliveries.map((d) => `${d.event}.${d.payload.action ?? ''}`)).toEqual([
      'pull_request.opened',
      'pull_request.synchronize',
      'issue_comment.created',
      'issue_comment.created',
      'issue_comment.created',
      'push.',
      'workflow_run.in_progress',
      'workflow_run.completed',
      'workflow_run.in_progress',
      'workflow_run.completed',
      'push.',
    ]);
    const { statuses, requests } = await story.redeliverAll();
    expect(statuses).toEqual(Array(11).fill(200));
    expect(requests).toEqual([]);
  });

  it('sends, logs and writes the planted secret nowhere, nor the API token, an OIDC-shaped token, the webhook secret, the installation token or the private key; and no job of the app failed', async () => {
    expect(await story.presentForeignToken()).toBe(401);
    expect(story.github.requests.length).toBeGreaterThan(40);
    expect(story.leaks()).toEqual([]);
    expect(story.serverLog).not.toContain('envsync job failed');
  });
});
