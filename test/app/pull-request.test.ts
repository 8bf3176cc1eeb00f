// The app on pull requests, webhooks in the real payload shapes through Probot, on GitHub in memory:
// checks with annotations, the plan comment updated in place, approval gates, commands and who may
// use them; what each leaves on GitHub is asserted, with every read the check of a head makes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_PATH } from '../../src/config/config.js';
import { MemoryPort } from '../../src/github/memory-port.js';
import { SystemService } from '../../src/system/service.js';
import { PLAN_MARKER } from '../../src/render/plan-markdown.js';
import type { QueueSettings } from '../../src/system/jobs/queue.js';
import { openStore, type Store } from '../../src/system/store.js';
import type { SourceFile } from '../../src/specs/source.js';
import { exampleFiles, scenarioFiles } from '../golden/scenarios.js';
import { commentCreated, contentsOf, pullRequestOpened } from '../helpers/github-fixtures.js';
import { failFirst, startMemoryApp, type MemoryApp } from '../helpers/memory-app.js';
import { packageVersion } from '../../src/version.js';
import { sources } from '../helpers/repo.js';

/** A configuration of defaults only: the repository is a config repository. */
const DEFAULTS = '# envsync: the defaults\n';

const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);
const GATE = 'envsync/approval: hook/onInit/change-approval';
/** What a check of the head reads of GitHub, whatever the size of the repository: the whole head in one tarball. */
const CHECK_READS = ['getPullRequest #2', `getFile ${CONFIG_PATH}@${BASE}`, `getTarball ${HEAD}`];

let work: string;
let store: Store;
let port: MemoryPort;
let running: MemoryApp;

async function start(url: string, queue: Partial<QueueSettings> = {}) {
  store = await openStore({ url, queue: { pollMs: 50, ...queue } });
  // A followed config repository whose base the system holds: pull requests are planned against it.
  if (await store.followRepository('Codertocat/Hello-World')) {
    await new SystemService(store).applyRevision(exampleFiles(), BASE, { trigger: 'webhook', actor: null }, { repo: 'Codertocat/Hello-World' });
  }
  running = await startMemoryApp(store, port, { appId: 123 });
}

/** Stops the app and starts another on the same store and GitHub: a restart, or a deployment of the app. */
async function restart(queue: Partial<QueueSettings> = {}) {
  await running.app.running()!.stop();
  await store.close();
  await start(`sqlite:${join(work, 'store.db')}`, queue);
}

/**
 * Pull request #2 by `author` from branch `change` (its head HEAD holding `head`) into `main` (BASE,
 * the example repository), each with `config` as its configuration.
 */
function pullRequest(options: { head?: readonly SourceFile[]; author?: string; config?: string } = {}) {
  const config = { [CONFIG_PATH]: options.config ?? DEFAULTS };
  port.commit({ branch: 'main', sha: BASE, tree: { ...contentsOf(exampleFiles()), ...config } });
  port.commit({ branch: 'change', parents: [BASE], sha: HEAD, tree: { ...contentsOf(options.head ?? scenarioFiles('template-edited-in-place')), ...config } });
  port.openPullRequest({ number: 2, head: 'change', base: 'main', author: options.author ?? 'Codertocat' });
}

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'envsync-pr-'));
  port = new MemoryPort();
  await start(`sqlite:${join(work, 'store.db')}`);
});
afterEach(async () => {
  expect(running.app.running()?.failures.map((f) => String(f.error))).toEqual([]);
  await running.app.running()?.stop();
  await store.close();
  rmSync(work, { recursive: true, force: true });
});

const receive = (name: string, payload: unknown, id?: string) => running.receive(name, payload, id);
const checksOf = (sha: string) => port.checkRuns.filter((c) => c.headSha === sha);
const gateOf = (sha: string) => checksOf(sha).find((c) => c.name === GATE)!;
/** The body of the one comment on #2. */
const commentBody = () => {
  expect(port.comments.map((c) => c.on)).toEqual([{ pullRequest: 2 }]);
  return port.comments[0]!.body;
};

describe('a pull request', () => {
  it('gets a passing validate check, the plan check, a pending gate and the plan comment, from one read of its head', async () => {
    pullRequest();
    await receive('pull_request', pullRequestOpened(HEAD, BASE));

    const checks = checksOf(HEAD);
    expect(checks.map((c) => [c.name, c.status, c.conclusion])).toEqual([
      ['envsync/validate', 'completed', 'success'],
      ['envsync/plan', 'completed', 'success'],
      [GATE, 'queued', undefined],
    ]);
    expect(checks[0]!.output).toEqual({ title: 'all specs valid', summary: '15 files, 15 specs: 0 errors, 0 warnings\n\nEach finding is annotated on its line in "Files changed".', annotations: [] });
    expect(checks[1]!.output.title).toBe('1 change, 2 runs, 1 gate to approve');
    expect(checks[2]!.output).toEqual({
      title: 'waiting for approval',
      summary: 'Gate `hook/onInit/change-approval` of `payments/dev`, `payments/staging` needs an approval for this commit: comment `/approve` (or `/approve hook/onInit/change-approval`) as a reviewer with write access or a listed approver.',
    });
    const comment = commentBody();
    expect(comment.startsWith(`${PLAN_MARKER}\n### envsync plan: <code>system</code> → <code>aaaaaaa</code>`)).toBe(true);
    expect(comment).toContain('To approve: `/approve hook/onInit/change-approval` (2 runs wait for it)');
    expect(comment.endsWith(`<!-- envsync:head ${HEAD} -->\n`)).toBe(true);
    expect(port.reads).toEqual(CHECK_READS);
    expect(port.calls).toEqual([`check envsync/validate ${HEAD} completed success`, `check envsync/plan ${HEAD} completed success`, `check ${GATE} ${HEAD} queued`, 'comment #2 created']);
  });

  it('updates its comment in place on a new push, and says approvals given on the head before must be given again', async () => {
    pullRequest();
    const old = 'c'.repeat(40);
    port.comments.push({ id: 500, on: { pullRequest: 2 }, body: `${PLAN_MARKER}\nold plan\n<!-- envsync:head ${old} -->\n` });
    await store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 2, sha: `${old}:main`, gate: 'hook/onInit/change-approval', user: 'carol', decision: 'approve' });
    await receive('pull_request', { ...pullRequestOpened(HEAD, BASE), action: 'synchronize' });
    expect(port.comments.map((c) => c.id)).toEqual([500]);
    expect(commentBody()).toContain('New commits since `ccccccc`: approvals given before them no longer count. Approve `aaaaaaa` again.');
    expect(port.calls.filter((c) => c.startsWith('comment'))).toEqual(['comment #2 updated']);
  });

  it('says nothing of approvals on a new push when none was given on the head before', async () => {
    pullRequest();
    port.comments.push({ id: 500, on: { pullRequest: 2 }, body: `${PLAN_MARKER}\nold plan\n<!-- envsync:head ${'c'.repeat(40)} -->\n` });
    await receive('pull_request', { ...pullRequestOpened(HEAD, BASE), action: 'synchronize' });
    expect(commentBody()).not.toContain('no longer count');
  });

  it('reads a new push from its changes since the head it checked, to the checks a whole read gives', async () => {
    pullRequest();
    await receive('pull_request', pullRequestOpened(HEAD, BASE));
    // The push renames an environment's file: the file at its new path is read, not the tarball.
    const dev = 'projects/payments/environments/dev.yaml';
    const next = port.commit({ branch: 'change', files: { [dev]: null, 'projects/payments/environments/dev-renamed.yaml': port.filesAt(HEAD)[dev]! } });
    port.reads.length = 0;
    await receive('pull_request', { ...pullRequestOpened(next, BASE), action: 'synchronize' });
    expect(port.reads).toEqual(['getPullRequest #2', `getFile ${CONFIG_PATH}@${BASE}`, `changedFiles ${HEAD}...${next}`, `getEntry projects/payments/environments/dev-renamed.yaml@${next}`]);
    const checks = structuredClone(checksOf(next));
    expect(checks.map((c) => c.output.title)).toEqual(['1 error, 0 warnings', '1 change, 1 run, 1 gate to approve', 'waiting for approval']);
    // An app that has read nothing reads the whole head, and finds its checks say what they should.
    await restart();
    const calls = port.calls.length;
    await receive('pull_request', { ...pullRequestOpened(next, BASE), action: 'synchronize' });
    expect(port.reads.at(-1)).toBe(`getTarball ${next}`);
    expect(port.calls.slice(calls).filter((c) => c.startsWith('check'))).toEqual([]);
    expect(checksOf(next)).toEqual(checks);
  });

  it('annotates every finding of an invalid head, and folds the plan', async () => {
    // 60 environments naming a template that does not exist: 60 errors.
    const broken = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [
        `projects/payments/environments/broken-${i}.yaml`,
        `apiVersion: eaas.envmgmt.io/v1\nkind: Environment\nmetadata:\n  name: broken-${i}\n  project: payments\nspec:\n  template:\n    name: nope\n    version: v1\n`,
      ]),
    );
    pullRequest({ head: [...exampleFiles(), ...sources(broken)] });
    await receive('pull_request', pullRequestOpened(HEAD, BASE));
    const validate = checksOf(HEAD).find((c) => c.name === 'envsync/validate')!;
    expect(validate.conclusion).toBe('failure');
    expect(validate.output.title).toBe('60 errors, 0 warnings');
    expect(validate.output.annotations).toHaveLength(60);
    expect(validate.output.annotations![0]).toEqual({
      path: 'projects/payments/environments/broken-0.yaml',
      start_line: 8,
      end_line: 8,
      start_column: 11,
      end_column: 11,
      annotation_level: 'failure',
      title: 'envsync ref-not-found',
      message: 'EnvironmentTemplate "nope" does not exist in project payments nor is it shared with it: add projects/payments/environmenttemplates/nope.yaml or correct the name',
    });
    const comment = commentBody();
    expect(comment).toContain('### envsync: the head does not validate');
    expect(comment).toContain('<details><summary>Plan of this head</summary>');
  });

  it('is not checked for a head that is no longer the pull request\'s head', async () => {
    pullRequest();
    port.commit({ branch: 'change', files: { 'README.md': 'a later push\n' } });
    await receive('pull_request', pullRequestOpened(HEAD, BASE));
    expect(port.reads).toEqual(['getPullRequest #2']);
    expect(port.calls).toEqual([]);
  });

  it('is not checked twice for a redelivered event', async () => {
    pullRequest();
    await receive('pull_request', pullRequestOpened(HEAD, BASE), 'same');
    const [calls, reads] = [[...port.calls], [...port.reads]];
    await receive('pull_request', pullRequestOpened(HEAD, BASE), 'same');
    expect([port.calls, port.reads]).toEqual([calls, reads]);
    expect((await store.jobs.list()).filter((j) => j.task !== 'prune')).toEqual([]);
  });

  it('is checked again, without a redelivery, after an attempt failed (GitHub down)', async () => {
    pullRequest();
    failFirst(port, 'getPullRequest', '#2', { status: 500, message: 'Server Error' });
    await receive('pull_request', pullRequestOpened(HEAD, BASE), 'flaky');
    expect(running.app.running()!.failures.splice(0).map((f) => f.task)).toEqual(['check-pull-request']);
    expect(checksOf(HEAD).map((c) => c.name)).toEqual(['envsync/validate', 'envsync/plan', GATE]);
  });

  it('is checked when an event whose check failed for good is redelivered', async () => {
    await restart({ maxAttempts: 1 });
    pullRequest();
    failFirst(port, 'getPullRequest', '#2', { status: 500, message: 'Server Error' });
    await receive('pull_request', pullRequestOpened(HEAD, BASE), 'flaky');
    expect(running.app.running()!.failures.splice(0).map((f) => f.task)).toEqual(['check-pull-request']);
    expect((await store.jobs.list()).filter((j) => j.task !== 'prune').map((j) => [j.key, j.state, j.lastError])).toEqual([['delivery:flaky', 'failed', expect.stringContaining('Server Error')]]);
    expect(port.calls).toEqual([]);

    await receive('pull_request', pullRequestOpened(HEAD, BASE), 'flaky');
    expect(checksOf(HEAD).map((c) => c.name)).toEqual(['envsync/validate', 'envsync/plan', GATE]);
    expect((await store.jobs.list()).filter((j) => j.task !== 'prune')).toEqual([]);
  });
});

/**
 * Pull request #2 as its check left it: the gate's check (7) waits for an approval, beside the plan's
 * (8); `permission` is what GitHub says the commenter may do.
 */
function checkedPullRequest(options: Parameters<typeof pullRequest>[0] & { permission?: [string, 'admin' | 'write' | 'read'] } = {}) {
  pullRequest(options);
  if (options.permission) port.permissions.set(...options.permission);
  port.checkRuns.push(
    { id: 7, name: GATE, headSha: HEAD, status: 'queued', output: { title: 'waiting for approval', summary: 'Gate `hook/onInit/change-approval`: waiting.' } },
    { id: 8, name: 'envsync/plan', headSha: HEAD, status: 'completed', conclusion: 'success', output: { title: 'a plan', summary: 'a plan' } },
  );
}
/** The reply to comment 99 on #2, and the reaction to it, of a command refused. */
const refusal = () => {
  expect(port.reactions).toEqual([{ comment: 99, content: 'confused' }]);
  return commentBody();
};

describe('/approve', () => {
  it('from a user with write access passes the gate for this head, with a reaction', async () => {
    checkedPullRequest({ permission: ['reviewer', 'write'] });
    await receive('issue_comment', commentCreated('/approve', 'reviewer'));
    expect(gateOf(HEAD)).toEqual({
      id: 7,
      name: GATE,
      headSha: HEAD,
      status: 'completed',
      conclusion: 'success',
      output: { title: 'approved by @reviewer', summary: 'Gate `hook/onInit/change-approval`: approved by @reviewer for this commit.' },
    });
    expect(port.calls).toEqual(['check 7 completed', 'reaction 99 +1']);
    expect(await store.listApprovals('Codertocat/Hello-World', 2, `${HEAD}:main`)).toMatchObject([{ gate: 'hook/onInit/change-approval', user: 'reviewer', decision: 'approve' }]);
  });

  it('on a merged pull request releases the run its merge holds for that gate', async () => {
    checkedPullRequest({ permission: ['reviewer', 'write'] });
    const MERGE = port.mergePullRequest(2, { sha: 'd'.repeat(40) });
    const RUN = `${MERGE.slice(0, 12)}-payments-dev-deploy`;
    const dispatch = { order: 0, environment: 'payments/dev', action: 'deploy' as const, branch: 'main', workflow: 'envsync-run.yml', sha: MERGE, gates: ['hook/onInit/change-approval'], after: [], labels: ['ubuntu-latest'], approvals: [{ number: 2, subject: `${HEAD}:main` }] };
    await store.createRun({ id: RUN, project: 'payments', environment: 'dev', action: 'deploy', revision: MERGE, status: 'waiting', activities: [], outputs: {} }, { repo: 'Codertocat/Hello-World', dispatch });
    await store.updateTracking(RUN, { deploymentId: 41 });
    const waiting = { state: 'queued' as const, description: 'waiting for approval of hook/onInit/change-approval: /approve on #2' };
    port.deployments.push({ id: 41, ref: MERGE, environment: 'payments/dev', description: 'envsync deploy of payments/dev', payload: { runId: RUN }, statuses: [waiting] });
    await receive('issue_comment', commentCreated('/approve', 'reviewer'));
    expect(port.dispatches).toEqual([
      {
        workflow: 'envsync-run.yml',
        ref: 'main',
        inputs: { environment: 'payments/dev', action: 'deploy', sha: MERGE, approved: 'hook/onInit/change-approval', 'runs-on': '["ubuntu-latest"]', 'run-id': RUN, package: `@envsync/cli@${packageVersion()}` },
        workflowRun: expect.any(Number),
      },
    ]);
    expect(port.deployments[0]!.statuses).toEqual([waiting, { state: 'queued', description: 'dispatched to envsync-run.yml', logUrl: port.webUrl('Codertocat/Hello-World/actions/workflows/envsync-run.yml') }]);
    expect((await store.getRun(RUN))?.status).toBe('queued');
  });

  it('from the pull request\'s author is refused with a reply that says why', async () => {
    checkedPullRequest({ author: 'author' });
    await receive('issue_comment', commentCreated('/approve', 'author'));
    expect(refusal()).toBe('@author, the author of a pull request cannot approve it: ask a reviewer with write access or a listed approver.\n\n<!-- envsync:reply 99 -->');
    expect(gateOf(HEAD).status).toBe('queued');
    expect(await store.listApprovals('Codertocat/Hello-World', 2, `${HEAD}:main`)).toEqual([]);
  });

  it('from the author counts when the configuration allows it', async () => {
    checkedPullRequest({ author: 'author', config: 'approvals:\n  allowAuthor: true\n  users: [author]\n' });
    await receive('issue_comment', commentCreated('/approve change-approval', 'author'));
    expect(await store.listApprovals('Codertocat/Hello-World', 2, `${HEAD}:main`)).toHaveLength(1);
    expect(gateOf(HEAD).conclusion).toBe('success');
  });

  it('from a user with read access only is refused', async () => {
    checkedPullRequest({ permission: ['reader', 'read'] });
    await receive('issue_comment', commentCreated('/approve', 'reader'));
    expect(refusal()).toBe('@reader, your approval does not count: it needs write access to this repository (you have read) or a place among the approvers of `.github/envsync.yml`.\n\n<!-- envsync:reply 99 -->');
  });

  it('from a member of a listed team counts without write access', async () => {
    checkedPullRequest({ config: 'approvals:\n  teams: [acme/platform]\n' });
    port.teams.set('acme/platform', ['lead']);
    await receive('issue_comment', commentCreated('/approve', 'lead'));
    expect(await store.listApprovals('Codertocat/Hello-World', 2, `${HEAD}:main`)).toMatchObject([{ user: 'lead' }]);
    expect(port.reads).toContain('isTeamMember acme/platform lead');
    expect(port.reads.filter((r) => r.startsWith('permissionOf'))).toEqual([]);
  });

  it('from a bot is ignored without a word', async () => {
    checkedPullRequest({ permission: ['envsync[bot]', 'write'] });
    await receive('issue_comment', commentCreated('/approve', 'envsync[bot]', 'Bot'));
    expect([port.calls, port.reads]).toEqual([[], []]);
  });

  it('naming a gate the head does not have is refused with the gates it has', async () => {
    checkedPullRequest({ permission: ['reviewer', 'admin'] });
    await receive('issue_comment', commentCreated('/approve deploy-gate', 'reviewer'));
    expect(refusal()).toBe('@reviewer, no gate named `deploy-gate`: this head\'s gates are `hook/onInit/change-approval`.\n\n<!-- envsync:reply 99 -->');
  });

  it('quotes a gate name it was given in a code span the name cannot close', async () => {
    checkedPullRequest({ permission: ['reviewer', 'admin'] });
    await receive('issue_comment', commentCreated('/approve x`**[click](https://evil.example)**`', 'reviewer'));
    expect(refusal()).toBe("@reviewer, no gate named `` x`**[click](https://evil.example)**` ``: this head's gates are `hook/onInit/change-approval`.\n\n<!-- envsync:reply 99 -->");
  });

  it('survives a restart of the app: a new check of the same head shows the gate approved', async () => {
    await store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 2, sha: `${HEAD}:main`, gate: 'hook/onInit/change-approval', user: 'reviewer', decision: 'approve' });
    await restart();
    pullRequest();
    await receive('pull_request', pullRequestOpened(HEAD, BASE));
    const gate = gateOf(HEAD);
    expect([gate.status, gate.conclusion, gate.output.title]).toEqual(['completed', 'success', 'approved by @reviewer']);
  });
});

describe('other commands', () => {
  it('/help answers with the commands, once however often the job runs', async () => {
    await receive('issue_comment', commentCreated('/help', 'anyone'));
    await receive('issue_comment', commentCreated('/help', 'anyone'));
    expect(commentBody()).toMatch(/^envsync commands, in a comment of their own line:/);
    expect(port.calls).toEqual(['comment #2 created']);
  });

  it('/reject fails the gates with the reason', async () => {
    checkedPullRequest({ permission: ['reviewer', 'write'] });
    await receive('issue_comment', commentCreated('/reject not during the freeze', 'reviewer'));
    expect(gateOf(HEAD)).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'rejected by @reviewer', summary: 'Gate `hook/onInit/change-approval`: rejected by @reviewer: not during the freeze.' } });
  });

  it('/reject shows its reason as plain text: no markup, link, HTML or @mention of the commenter takes effect', async () => {
    checkedPullRequest({ permission: ['reviewer', 'write'] });
    await receive('issue_comment', commentCreated('/reject ask @acme/security <img src=x> [here](https://evil.example) `x` # now', 'reviewer'));
    expect(gateOf(HEAD).output.summary).toBe(
      'Gate `hook/onInit/change-approval`: rejected by @reviewer: ask @&#8203;acme/security &lt;img src=x&gt; \\[here\\]\\(https://evil.example\\) &#96;x&#96; \\# now.',
    );
  });
});

describe('a change of base', () => {
  it('asks for approvals anew: an approval given against another base does not count', async () => {
    pullRequest();
    await store.recordApproval({ repo: 'Codertocat/Hello-World', pullNumber: 2, sha: `${HEAD}:lenient-branch`, gate: 'hook/onInit/change-approval', user: 'author', decision: 'approve' });
    await receive('pull_request', { ...pullRequestOpened(HEAD, BASE), action: 'edited', changes: { base: { ref: { from: 'lenient-branch' } } } });
    const gate = gateOf(HEAD);
    expect([gate.status, gate.output.title]).toEqual(['queued', 'waiting for approval']);
  });
});
