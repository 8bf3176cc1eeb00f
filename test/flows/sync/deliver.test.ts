// Bot pull requests and direct commits, on GitHub in memory: what the repository holds afterwards
// (commits, branches, pull requests) is asserted, and the operations on GitHub do not grow with the
// number of files.
import { beforeEach, describe, expect, it } from 'vitest';
import { deliver, syncBranch } from '../../../src/flows/sync/deliver.js';
import { MemoryPort } from '../../../src/github/memory-port.js';
import { noreplyAuthor } from '../../../src/github/octokit-port.js';
import type { ExportPlan } from '../../../src/engine/export.js';
import { BOT_PR_MARKER } from '../../../src/render/bot-pr.js';

const repo = { owner: 'acme', repo: 'config' };
const BRANCH = syncBranch('main');
/** The app's account, as GitHub writes it on the commits the app makes. */
const BOT = noreplyAuthor('envsync[bot]', 90210);
/** How versions before the account id wrote the bot: its commits are the bot's still. */
const EARLIER_BOT = { name: 'envsync[bot]', email: 'envsync[bot]@users.noreply.github.com' };

const planOf = (count: number): ExportPlan => ({
  files: Array.from({ length: count }, (_, i) => ({
    path: `projects/payments/environments/env-${i}.yaml`,
    content: `name: env-${i}\n`,
    resource: { kind: 'Environment', project: 'payments', name: `env-${i}`, operation: 'Update' as const },
  })),
  secrets: [{ file: 'projects/payments/environments/env-0.yaml', path: 'spec.variables[0].value', outcome: 'sealed' }],
  rewritten: [],
});

/** How the change of planOf(1) and planOf(2) is named. */
const ONE = 'envsync: update Environment payments/env-0';
const TWO = 'envsync: update 2 specs in payments (Environment env-0, Environment env-1)';

let port: MemoryPort;
/** The head of main before the delivery. */
let base: string;

beforeEach(() => {
  port = new MemoryPort({ identity: BOT });
  base = port.commit({ branch: 'main', tree: { 'projects/payments/environments/env-0.yaml': 'name: env-0\nold: true\n', 'projects/payments/environments/old.yaml': 'name: old\n' } });
});

/** The files a commit changed since its first parent, as `STATUS path`. */
async function changedBy(sha: string) {
  const { files } = await port.changedFiles(repo, port.commits.get(sha)!.parents[0]!, sha);
  return files!.map((f) => `${f.status} ${f.path}`);
}

/** The bot branch with commits by `authors` on main, and pull request #42 from it, open. */
function botBranch(...authors: { name: string; email: string }[]) {
  authors.forEach((author, i) => port.commit({ branch: BRANCH, parents: i === 0 ? [base] : undefined, files: { [`projects/payments/environments/env-${i}.yaml`]: `by ${author.name}\n` }, author }));
  port.openPullRequest({ number: 42, head: BRANCH, base: 'main', author: BOT.name });
}

describe('a bot pull request', () => {
  it('is opened on the deterministic branch with one commit for all files, authored as the app', async () => {
    const result = await deliver(port, { repo, base: 'main', mode: 'pull-request', plan: planOf(2), actors: ['alice'] });
    const sha = port.branches.get(BRANCH)!;
    expect(result).toEqual({ outcome: 'pull-request', number: 1, created: true, branch: BRANCH, sha });
    expect(port.commits.get(sha)).toMatchObject({ parents: [base], author: BOT, message: `${TWO}\n\n- update Environment payments/env-0\n- update Environment payments/env-1` });
    expect(await changedBy(sha)).toEqual(['modified projects/payments/environments/env-0.yaml', 'added projects/payments/environments/env-1.yaml']);
    expect(port.filesAt(sha)['projects/payments/environments/env-1.yaml']).toBe('name: env-1\n');
    expect(port.branches.get('main')).toBe(base);
    const [pr] = port.pullRequests;
    expect(pr).toMatchObject({ number: 1, state: 'open', head: BRANCH, baseRef: 'main', headSha: sha, title: TWO });
    expect(pr!.body!.startsWith(`${BOT_PR_MARKER}\nThese 2 specs changed in the system outside Git by \`alice\`.`)).toBe(true);
    expect(pr!.body).toContain('\n#### update Environment `payments/env-1`\n');
    expect(port.calls).toEqual([`commit on ${base}: ${TWO}`, `branch ${BRANCH} created at ${sha}`, `pull-request ${BRANCH} -> main: ${TWO}`]);
  });

  it('is updated in place when the system changes again before merge: no second pull request', async () => {
    // One commit of this version, one of a version before it (which wrote the bot's name without its account id).
    botBranch(EARLIER_BOT, BOT);
    const result = await deliver(port, { repo, base: 'main', mode: 'pull-request', plan: planOf(1) });
    const sha = port.branches.get(BRANCH)!;
    expect(result).toEqual({ outcome: 'pull-request', number: 42, created: false, branch: BRANCH, sha });
    // Rebuilt as one commit on main, the branch forced to it.
    expect(port.commits.get(sha)!.parents).toEqual([base]);
    expect(port.pullRequests.map((p) => [p.number, p.headSha, p.title])).toEqual([[42, sha, ONE]]);
    expect(port.calls).toEqual([`commit on ${base}: ${ONE}`, `branch ${BRANCH} forced to ${sha}`, `pull-request #42 updated: ${ONE}`]);
  });

  it('is not reopened once closed without merging, and nothing is written', async () => {
    botBranch(BOT);
    port.pullRequests[0]!.state = 'closed';
    expect(await deliver(port, { repo, base: 'main', mode: 'pull-request', plan: planOf(1) })).toEqual({
      outcome: 'skipped',
      reason: `bot pull request #42 was closed without merging; envsync does not reopen it: delete the branch ${BRANCH} to let it open a new one`,
    });
    expect(port.reads).toEqual(['getBranch main', `findPullRequest ${BRANCH}`]);
    expect(port.calls).toEqual([]);
  });

  it('never overwrites a commit a person pushed to the bot branch', async () => {
    // A name alone proves nothing: anyone can write "envsync[bot]" as a commit's author.
    botBranch(BOT, { name: 'Bob', email: 'bob@acme.example' }, { name: 'envsync[bot]', email: 'envsync[bot]@example.com' });
    const head = port.branches.get(BRANCH);
    expect(await deliver(port, { repo, base: 'main', mode: 'pull-request', plan: planOf(1) })).toEqual({
      outcome: 'skipped',
      reason: `branch ${BRANCH} has commits by Bob, envsync[bot]; envsync never overwrites them: merge or close pull request #42 first`,
    });
    expect(port.calls).toEqual([]);
    expect(port.branches.get(BRANCH)).toBe(head);
    expect(port.reads).toEqual(['getBranch main', `findPullRequest ${BRANCH}`, `getBranch ${BRANCH}`, `commitsBetween ${base}...${head}`]);
  });

  it('opens a new pull request after the previous one was merged', async () => {
    botBranch(BOT);
    port.mergePullRequest(42);
    port.branches.delete(BRANCH);
    const result = await deliver(port, { repo, base: 'main', mode: 'pull-request', plan: planOf(1) });
    expect(result).toMatchObject({ outcome: 'pull-request', number: 43, created: true });
    expect(port.pullRequests.map((p) => [p.number, p.state])).toEqual([
      [42, 'closed'],
      [43, 'open'],
    ]);
  });

  it('costs the same operations on GitHub for 100 files as for 1', async () => {
    const run = async (count: number) => {
      port = new MemoryPort({ identity: BOT });
      port.commit({ branch: 'main', tree: { 'README.md': 'config\n' } });
      await deliver(port, { repo, base: 'main', mode: 'pull-request', plan: planOf(count) });
      expect(Object.keys(port.filesAt(BRANCH))).toHaveLength(count + 1);
      return [...port.reads, ...port.calls].map((c) => c.split(' ')[0]);
    };
    const one = await run(1);
    expect(await run(100)).toEqual(one);
    expect(one).toEqual(['getBranch', 'findPullRequest', 'getBranch', 'commit', 'branch', 'pull-request']);
  });
});

describe('a direct commit', () => {
  it('lands on the sync branch named as a pull request would be, fast-forward only', async () => {
    const result = await deliver(port, { repo, base: 'main', mode: 'commit', plan: planOf(1) });
    const sha = port.branches.get('main')!;
    expect(result).toEqual({ outcome: 'committed', sha });
    expect(port.commits.get(sha)).toMatchObject({ parents: [base], author: BOT, message: ONE });
    expect(port.calls).toEqual([`commit on ${base}: ${ONE}`, `branch main moved to ${sha}`]);
  });

  it('fails rather than overwrite a commit that landed on the branch meanwhile', async () => {
    // Someone pushes to main between the read of its head and the move of it.
    const commitFiles = port.commitFiles.bind(port);
    port.commitFiles = async (...args) => {
      const sha = await commitFiles(...args);
      port.commit({ branch: 'main', files: { 'README.md': 'pushed meanwhile\n' } });
      return sha;
    };
    await expect(deliver(port, { repo, base: 'main', mode: 'commit', plan: planOf(1) })).rejects.toMatchObject({ status: 422, message: 'Update is not a fast forward' });
    expect(port.filesAt('main')['README.md']).toBe('pushed meanwhile\n');
  });

  it('deletes a file in the same commit', async () => {
    const plan: ExportPlan = { files: [{ path: 'projects/payments/environments/old.yaml', content: null, resource: { kind: 'Environment', project: 'payments', name: 'old', operation: 'Delete' } }], secrets: [], rewritten: [] };
    const result = await deliver(port, { repo, base: 'main', mode: 'commit', plan });
    const sha = port.branches.get('main')!;
    expect(result).toEqual({ outcome: 'committed', sha });
    expect(port.commits.get(sha)!.message).toBe('envsync: delete Environment payments/old');
    expect(await changedBy(sha)).toEqual(['removed projects/payments/environments/old.yaml']);
  });

  it('does nothing, and asks GitHub nothing, when there is no change', async () => {
    expect(await deliver(port, { repo, base: 'main', mode: 'commit', plan: { files: [], secrets: [], rewritten: [] } })).toEqual({ outcome: 'nothing-to-do' });
    expect([port.reads, port.calls]).toEqual([[], []]);
  });
});
