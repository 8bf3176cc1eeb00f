// The acceptance test: envsync's whole loop, end to end, played once by `npm run demo` as a newcomer
// runs it (the built demo, a process of its own): the real app server process, signed webhooks over
// HTTP, a fake GitHub backed by real git repositories that records every request, the runner
// workflow carried out as Actions would with the real `envsync run`, and the system API. The demo
// writes what each step came to (--record) and what GitHub would show; this test asserts on both. A
// canary secret planted in the specs must come out nowhere.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoryRecord } from '../../demo/play.js';
import { NEW_OWNER, ROTATED_REFERENCE } from '../../demo/story.js';
import { FAKE_BOT } from '../../demo/fake-github.js';

const demo = fileURLToPath(new URL('../../dist/demo/main.js', import.meta.url));
const APPROVAL = 'envsync/approval: hook/onInit/change-approval';
let work: string;
let out: string;
let result: { code: number; stdout: string; stderr: string };
let record: StoryRecord;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'envsync-story-'));
  out = join(work, 'demo-output');
  result = await new Promise((resolve) =>
    execFile(process.execPath, [demo, '--out', out, '--record', join(work, 'record.json')], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 26 }, (e, stdout, stderr) =>
      resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr }),
    ),
  );
  if (result.code !== 0) throw new Error(`npm run demo failed (${result.code}):\n${result.stderr}\n${result.stdout.slice(-4000)}`);
  record = JSON.parse(readFileSync(join(work, 'record.json'), 'utf8')) as StoryRecord;
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the whole loop, PR to runs to bot PR', () => {
  it('1. fails envsync/validate on a pull request that breaks a spec, with an annotation on the exact line', async () => {
    const { opened } = record;
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
    const { fixed } = record;
    expect(fixed.comment.id).toBe(fixed.commentIdBefore);
    expect(fixed.comment.edits).toBeGreaterThanOrEqual(1);
    expect(fixed.botComments).toBe(1);
    expect(fixed.comment.body).not.toContain('does not validate');
    const template = 'EnvironmentTemplate <code>payments/web-stack</code> v1 changed: <code>hooks.onInit[preflight].options.container.image</code> <code>"ghcr.io/example/preflight:2"</code> → <code>"ghcr.io/example/preflight:3"</code>';
    expect(fixed.comment.body).toContain(`| <code>payments/dev</code> | deploy | environment changed: <code>replicas</code> <code>"1"</code> → <code>"2"</code><br>${template} | 1 |`);
    expect(fixed.comment.body).toContain(`| <code>payments/staging</code> | deploy | ${template} | 1 |`);
    expect(fixed.comment.body).toContain('To approve: `/approve hook/onInit/change-approval` (2 runs wait for it)');
    expect(fixed.checks.map((c) => [c.name, c.status, c.conclusion])).toEqual([
      ['envsync/validate', 'completed', 'success'],
      ['envsync/plan', 'completed', 'success'],
      [APPROVAL, 'queued', null],
    ]);
  });

  it('3. refuses /approve from the author and from a reader, and accepts it from an approver', async () => {
    const [author, reader, approver] = record.approvals;
    expect(author!.user).toBe('alice');
    expect(author!.replyText).toBe('@alice, the author of a pull request cannot approve it: ask a reviewer with write access or a listed approver.');
    expect(reader!.replyText).toBe('@bob, your approval does not count: it needs write access to this repository (you have read) or a place among the approvers of `.github/envsync.yml`.');
    expect(reader!.gate.conclusion).toBeNull();
    expect(approver!.user).toBe('carol');
    expect(approver!.replyText).toBeUndefined();
    expect(approver!.gate).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: 'approved by @carol' } });
  });

  it('4. on merge, applies the revision, dispatches a run per environment, runs them as the runner workflow would, and marks the deployments successful', async () => {
    const { merged } = record;
    const { merge, runs } = merged;
    expect(JSON.stringify(merged.template)).toContain('ghcr.io/example/preflight:3');
    expect(merged.dispatches.map((d) => [d.workflow, d.ref, d.inputs.environment, d.inputs.action, d.inputs.sha, d.inputs.approved])).toEqual([
      ['envsync-run.yml', 'main', 'payments/dev', 'deploy', merge, 'hook/onInit/change-approval'],
      ['envsync-run.yml', 'main', 'payments/staging', 'deploy', merge, 'hook/onInit/change-approval'],
    ]);

    expect(runs.map((r) => [r.title, r.conclusion, r.artifacts])).toEqual(
      ['dev', 'staging'].map((env) => [`envsync deploy payments/${env} (run ${merge.slice(0, 12)}-payments.${env}-deploy)`, 'success', [`envsync-results-${merge.slice(0, 12)}-payments.${env}-deploy`]]),
    );
    // envsync run took the merged commit and the approval from the dispatch, and ran the new preflight image.
    expect(runs[0]!.log).toContain('success: payments/dev deploy; results in envsync-results.json');
    expect(runs[0]!.log).toContain('ghcr.io/example/preflight:3');
    expect(JSON.parse(runs[0]!.results!)).toMatchObject({ revision: merge, status: 'success' });
    expect(merged.deployments.map((d) => [d.environment, d.statuses.map((s) => s.state)])).toEqual([
      ['payments/dev', ['queued', 'in_progress', 'success']],
      ['payments/staging', ['queued', 'in_progress', 'success']],
    ]);
    // Links point at the GitHub the app talks to (GHE_HOST), not at github.com.
    expect(merged.deployments.map((d) => d.statuses[0]!.log_url)).toEqual([
      `${merged.webRoot}/acme/config/actions/workflows/envsync-run.yml`,
      `${merged.webRoot}/acme/config/actions/workflows/envsync-run.yml`,
    ]);
    const summary = merged.summary!;
    expect(summary.issue).toBe(record.opened.number);
    expect(summary.body).toContain('### envsync deploy of `payments/dev`: success');
    expect(summary.body).toContain('```mermaid\nflowchart LR');
  });

  it('5. opens a bot pull request for an environment changed through the system API, whose diff is exactly the changed line', async () => {
    const { changed } = record;
    expect(changed.status).toBe(200);
    expect(changed.pull).toMatchObject({ author: 'envsync[bot]', base: 'main', head: 'envsync/system-sync/main', state: 'open' });
    expect(changed.diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l))).toEqual(['-    value: payments-sre', `+    value: ${NEW_OWNER}`]);
    expect(changed.diff).toContain('projects/payments/environments/staging.yaml');
    // Sent without an author, the commit is the app's bot account's (which GitHub signs).
    expect(changed.botCommit).toBe(`${FAKE_BOT.name} <${FAKE_BOT.email}> / ${FAKE_BOT.name} <${FAKE_BOT.email}>`);
  });

  it('6. merging the bot pull request starts no run and opens no pull request', async () => {
    const { botMerged } = record;
    // The system held the change already: applying the merge changes nothing.
    expect(botMerged.applied).toContain('"created":0,"updated":0,"deleted":0');
    // Dispatches, deployments, pull requests and comments, before and after.
    expect(botMerged.countsAfter).toEqual(botMerged.countsBefore);
    // The app only read: the configuration and the merged revision, nothing written anywhere.
    expect(botMerged.writes).toEqual([]);
  });

  it('7. does nothing twice when every webhook of the story is delivered again', async () => {
    expect(record.redelivered.deliveries).toEqual([
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
    expect(record.redelivered.statuses).toEqual(Array(11).fill(200));
    expect(record.redelivered.requests).toBe(0);
  });

  it('8. seals a secret rotated through the API in Git, and hands its value to the run that needs it, proven by its OIDC token, masked in its log', () => {
    const { rotated } = record;
    expect(rotated.status).toBe(200);
    expect(rotated.pull.author).toBe('envsync[bot]');
    expect(rotated.changedLines).toEqual(['-    value: (the planted secret)', `+    value: ${ROTATED_REFERENCE}`]);
    expect(rotated.applied).toContain('"created":0,"updated":0,"deleted":0');
    expect([rotated.run.status, rotated.run.approved]).toEqual([201, 201]);
    expect(rotated.conclusion).toBe('success');
    // The stand-in tool was given the rotated key: the runner had it from the app, not from Git.
    expect(rotated.toolGotValue).toBe(true);
    expect(rotated.logMasked).toBe(true);
  });

  it('sends, logs and writes the planted secret nowhere, nor the API token, an OIDC-shaped token, the webhook secret, the installation token or the private key; and no job of the app failed', async () => {
    expect(record.foreignToken).toBe(401);
    expect(record.requests).toBeGreaterThan(40);
    expect(record.leaks).toEqual([]);
    expect(record.serverLogHasFailedJob).toBe(false);
    // The demo searched GitHub's requests, comments, checks, artifacts, the logs and its files; this
    // test searches again, on its own, every file the demo wrote and the record.
    const canary = /A secret \((CANARY-demo-[a-z0-9]+)\) is planted/.exec(result.stdout)![1]!;
    const files = [...readdirSync(out).map((name) => join(out, name)), join(work, 'record.json')];
    expect(files.filter((file) => readFileSync(file, 'utf8').includes(canary))).toEqual([]);
    expect(result.stderr).toBe('');
  });
});

describe('npm run demo, as a newcomer runs it', () => {
  it('narrates the seven steps and ends saying the planted secret is nowhere', () => {
    const headings = result.stdout.split('\n').filter((l) => /^\[/.test(l));
    expect(headings).toEqual([
      '[setup] A platform team adopts envsync',
      '[1/8] Alice opens a pull request that breaks a spec',
      '[2/8] Alice pushes a fix, and a new preflight image in the template both environments use',
      '[3/8] /approve from the author, from a reader, from an approver',
      '[4/8] Carol merges: the system takes the revision and the environments run on runners',
      '[5/8] Someone changes staging in the platform console (the system API)',
      "[6/8] Carol merges the bot's pull request",
      '[7/8] GitHub delivers every webhook of the story again',
      '[8/8] A platform engineer rotates the shared access key in the console; a run gets it through OIDC',
      '[end] What GitHub received, and where the planted secret went',
    ]);
    expect(result.stdout).toContain('system API: web-stack v1 now runs ghcr.io/example/preflight:3');
    expect(result.stdout).toMatch(/the secret is in none, nor the API token, the OIDC-shaped token, the webhook secret, the installation token, the console's OAuth client secret or the private key\n/);
    // It opens with the console's address.
    expect(result.stdout).toMatch(/\nConsole: http:\/\/127\.0\.0\.1:\d+\/console {2}\(sign in on the fake GitHub as alice or carol, who may write, or bob, who may read\)\n/);
  });

  it('writes the files it names, with what GitHub would show', () => {
    const named = result.stdout.slice(result.stdout.indexOf('\nFiles')).split('\n').slice(2).map((l) => l.trim()).filter(Boolean);
    expect(readdirSync(out).sort()).toEqual([...named].sort());
    expect(named).toEqual([
      '1-validate-check.md',
      '1-plan-comment.md',
      '2-plan-comment.md',
      '2-checks.md',
      '3-approvals.md',
      '4-run-payments-dev-summary.md',
      '4-run-payments-dev.log',
      '4-run-payments-staging-summary.md',
      '4-run-payments-staging.log',
      '4-deployments.md',
      '5-bot-pull-request.md',
      '5-bot-pull-request.diff',
      '7-redeliveries.md',
      '8-bot-pull-request.diff',
      '8-run-payments-staging.log',
      'github-requests.txt',
      'app.log',
    ]);
    expect(readFileSync(join(out, '1-validate-check.md'), 'utf8')).toContain('- `projects/payments/environments/dev.yaml:18:12` failure envsync override-restricted: variable "replicas" is "3"');
    expect(readFileSync(join(out, '4-run-payments-dev-summary.md'), 'utf8')).toContain('```mermaid\nflowchart LR');
    expect(readFileSync(join(out, '4-deployments.md'), 'utf8')).toContain('## payments/staging at');
    expect(readFileSync(join(out, '5-bot-pull-request.diff'), 'utf8')).toContain(`-    value: payments-sre\n+    value: ${NEW_OWNER}\n`);
  });
});
