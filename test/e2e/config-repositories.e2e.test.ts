// One installation over three repositories, as GitHub's "All repositories" default gives it: the
// config repository (projects payments and platform), a second config repository owning project
// billing, and a website repository with no `.github/envsync.yml`. The real server acts only where
// it is asked, each repository changes only its projects, two claims on one project are refused,
// and a revision that deletes a whole project (or everything) waits for `/approve deletion`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../../demo/fake-github.js';
import { Webhooks } from '../../demo/webhooks.js';
import { WEBHOOK_SECRET, World, type AppProcess } from '../../demo/world.js';
import { hashToken } from '../../src/app/api.js';
import { openStore } from '../../src/system/store.js';

const world = new World();
const API_TOKEN = 'config-repositories-token';
let app: AppProcess;

/** A repository of the installation besides acme/config: its own clone, pushed to its own fake. */
class Repository {
  readonly clone = mkdtempSync(join(tmpdir(), 'envsync-repo-'));
  readonly github: FakeGitHub;
  hooks!: Webhooks;

  constructor(name: string, files: Record<string, string>) {
    this.github = world.github.addRepository(name);
    this.github.permissions.set('carol', 'write');
    this.git('init', '-q', '-b', 'main');
    this.write(files);
    this.commit('main', 'first');
  }

  write(files: Record<string, string | null>): void {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) rmSync(join(this.clone, path), { recursive: true, force: true });
      else {
        mkdirSync(dirname(join(this.clone, path)), { recursive: true });
        writeFileSync(join(this.clone, path), text);
      }
    }
  }

  /** Commits what was written on `branch` and pushes it here; its sha. */
  commit(branch: string, message: string): string {
    this.git('checkout', '-q', '-B', branch);
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.github.pushFrom(this.clone, branch);
  }

  /** A branch from main's head with `files` written, and its pull request by alice. */
  pullRequest(branch: string, files: Record<string, string | null>): { number: number; head: string } {
    this.git('checkout', '-q', 'main');
    this.git('reset', '-q', '--hard', this.github.sha('main'));
    this.write(files);
    const head = this.commit(branch, branch);
    this.git('checkout', '-q', 'main');
    return { number: this.github.openPullRequest(branch, 'main', 'alice').number, head };
  }

  git(...args: string[]): string {
    return execFileSync('git', ['-C', this.clone, '-c', 'user.name=Alice', '-c', 'user.email=alice@example.com', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();
  }
}

const billingFiles = {
  '.github/envsync.yml': 'projects:\n  - billing\n',
  'projects/README.md': 'The billing team keeps its specs here.\n',
  'projects/billing.yaml': 'apiVersion: system.k8smgmt.io/v3\nkind: Project\nmetadata:\n  name: billing\n',
  'projects/billing/configcontexts/invoices.yaml':
    'apiVersion: eaas.envmgmt.io/v1\nkind: ConfigContext\nmetadata:\n  name: invoices\n  project: billing\nspec:\n  envs:\n  - key: INVOICE_QUEUE\n    value: invoices-eu\n',
};

let billing: Repository;
let website: Repository;

/** Specs the system holds, per project, with the revision each came from (read as another process would). */
async function system() {
  const store = await openStore({ url: world.databaseUrl });
  try {
    const resources = await store.listResources();
    const pushes = async (repo: string) => (await store.listPushes(repo)).map((p) => `${p.sha.slice(0, 7)} ${p.outcome}`).reverse();
    return {
      projects: Object.fromEntries([...new Set(resources.map((r) => r.project))].map((p) => [p, resources.filter((r) => r.project === p).length])),
      revisions: Object.fromEntries([...new Set(resources.map((r) => r.project))].map((p) => [p, [...new Set(resources.filter((r) => r.project === p).map((r) => r.revision?.slice(0, 7)))]])),
      repositories: (await store.listRepositories()).map((r) => `${r.repo} ${r.projects?.join(',') ?? '-'} ${r.appliedRevision?.slice(0, 7) ?? '-'}`),
      pushes: { config: await pushes('acme/config'), billing: await pushes('acme/billing'), website: await pushes('acme/website') },
    };
  } finally {
    await store.close();
  }
}

const writes = (github: FakeGitHub) => github.requests.filter((r) => r.method !== 'GET');
const logged = (text: string) => app.current().split('\n').filter((l) => l.includes(text)).length;

/** Sends a delivery of a followed repository and waits until `task` has run once more. */
async function handled(task: string, send: () => Promise<number>): Promise<void> {
  const done = app.done(task);
  expect(await send()).toBe(200);
  await app.until(`${task} handled`, () => app.done(task) > done);
}

beforeAll(async () => {
  await world.create();
  // acme/config owns the example's two projects; its configuration says so.
  world.commit('main', '.github/envsync.yml', '# envsync: the defaults', 'projects: [payments, platform]');
  billing = new Repository('billing', billingFiles);
  website = new Repository('website', { 'README.md': '# acme.example\n', 'projects/index.html': '<h1>our projects</h1>\n' });
  world.follow('acme/billing');
  const tokens = join(world.work, 'tokens.json');
  writeFileSync(tokens, JSON.stringify([{ name: 'console', sha256: hashToken(API_TOKEN), projects: { '*': 'write' } }]));
  app = await world.process('app', { ENVSYNC_API_TOKENS_FILE: tokens, ENVSYNC_SYNC_DELAY_MS: '0' });
  billing.hooks = new Webhooks(app.url, WEBHOOK_SECRET, 'acme', 'billing');
  website.hooks = new Webhooks(app.url, WEBHOOK_SECRET, 'acme', 'website');
  const configured = world.github.sha('main');
  await handled('apply-push', () => world.webhooks(app).push(world.base, configured, 'carol'));
  await handled('apply-push', () => billing.hooks.push('0'.repeat(40), billing.github.sha('main'), 'carol'));
}, 90_000);
afterAll(async () => {
  await world.stop();
  for (const r of [billing, website]) rmSync(r.clone, { recursive: true, force: true });
});

describe('an installation over three repositories', () => {
  it('holds each config repository\'s projects, each at its own revision', async () => {
    const config = world.github.sha('main').slice(0, 7);
    const bill = billing.github.sha('main').slice(0, 7);
    expect(await system()).toEqual({
      projects: { billing: 2, payments: 10, platform: 5 },
      revisions: { billing: [bill], payments: [config], platform: [config] },
      repositories: [`acme/billing billing ${bill}`, `acme/config payments,platform ${config}`],
      pushes: { config: [`${config} applied`], billing: [`${bill} applied`], website: [] },
    });
  });

  it('ignores the pushes and pull requests of a repository it does not follow: no request, no job, no change', async () => {
    const before = await system();
    const [ignored, pr] = [logged('not a followed config repository'), website.pullRequest('redesign', { 'README.md': '# acme, redesigned\n' })];
    expect(await website.hooks.push('0'.repeat(40), website.github.sha('main'), 'carol')).toBe(200);
    expect(await website.hooks.pullRequest('opened', { number: pr.number, head: pr.head, headRef: 'redesign', base: website.github.sha('main'), author: 'alice' })).toBe(200);
    expect(await website.hooks.comment(pr.number, '/approve', 'carol')).toBe(200);
    await app.until('the three webhooks ignored', () => logged('not a followed config repository') === ignored + 3);
    expect(website.github.requests).toEqual([]);
    expect(await system()).toEqual(before);
  });

  it('followed by mistake, a repository without .github/envsync.yml is read, never written to, and changes nothing', async () => {
    world.follow('acme/website');
    const before = await system();
    await handled('apply-push', () => website.hooks.push('0'.repeat(40), website.github.sha('main'), 'carol'));
    const pr = website.github.pulls[0]!;
    await handled('check-pull-request', () => website.hooks.pullRequest('synchronize', { number: pr.number, head: website.github.sha('redesign'), headRef: 'redesign', base: website.github.sha('main'), author: 'alice' }));
    expect(writes(website.github)).toEqual([]);
    expect(website.github.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`)).toEqual([
      'GET /repos/acme/website/contents/.github%2Fenvsync.yml',
      'GET /repos/acme/website/pulls/1',
      'GET /repos/acme/website/contents/.github%2Fenvsync.yml',
    ]);
    expect(before.repositories).toContain('acme/website - -');
    expect(await system()).toEqual(before);
  });

  it('fails the check of a pull request that claims a project another repository owns, naming both', async () => {
    const configWrites = writes(world.github).length;
    const pr = billing.pullRequest('claim-payments', { '.github/envsync.yml': 'projects:\n  - billing\n  - pay*\n' });
    await handled('check-pull-request', () => billing.hooks.pullRequest('opened', { number: pr.number, head: pr.head, headRef: 'claim-payments', base: billing.github.sha('main'), author: 'alice' }));
    const validate = billing.github.checks.find((c) => c.name === 'envsync/validate' && c.head_sha === pr.head)!;
    expect([validate.status, validate.conclusion]).toEqual(['completed', 'failure']);
    expect(validate.annotations).toEqual([
      {
        path: '.github/envsync.yml',
        start_line: 3,
        end_line: 3,
        start_column: 5,
        end_column: 5,
        annotation_level: 'failure',
        title: 'envsync project-claimed',
        message: '"pay*" claims projects that acme/config owns ("payments" in its .github/envsync.yml): a project belongs to one config repository; remove it here or there',
      },
    ]);
    expect(writes(world.github)).toHaveLength(configWrites);
  });

  it('brings a change made through the system API to the repository that owns its project, and only there', async () => {
    const configWrites = writes(world.github).length;
    const res = await fetch(`${app.url}/api/v1/resources/ConfigContext/billing/invoices`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/yaml' },
      body: billingFiles['projects/billing/configcontexts/invoices.yaml'].replace('invoices-eu', 'invoices-us'),
    });
    expect(res.status).toBe(200);
    await app.until('the bot pull request in acme/billing', () => billing.github.pulls.find((p) => p.author === 'envsync[bot]'));
    const bot = billing.github.pulls.find((p) => p.author === 'envsync[bot]')!;
    expect(billing.github.diff(bot.number)).toContain('-    value: invoices-eu\n+    value: invoices-us\n');
    expect(writes(world.github)).toHaveLength(configWrites);
  });
});

describe('a revision that deletes a whole project', () => {
  it('is held with the deletion gate on its pull request, and after its merge deletes and destroys nothing', async () => {
    const removal = Object.fromEntries(['projects/payments', 'projects/payments.yaml'].map((p) => [p, null]));
    // The fake's clone of acme/config is the world's: the pull request is made there.
    const pr = worldPullRequest('drop-payments', removal);
    const hooks = world.webhooks(app);
    await handled('check-pull-request', () => hooks.pullRequest('opened', { number: pr.number, head: pr.head, headRef: 'drop-payments', base: world.github.sha('main'), author: 'alice' }));
    const gate = world.github.checks.find((c) => c.name === 'envsync/approval: deletion' && c.head_sha === pr.head)!;
    expect([gate.status, (gate.output as { summary: string }).summary.split('\n')[0]]).toEqual(['queued', 'This change deletes all 10 specs of project payments. Nothing of it is deleted or destroyed until the gate is approved.']);
    expect(world.github.comments.find((c) => c.issue === pr.number)!.body).toContain('> This change deletes all 10 specs of project payments. Once merged it is held, and nothing is deleted or destroyed, until `/approve deletion`.');

    const before = await system();
    const [deployments, dispatches] = [world.github.deployments.length, world.github.dispatches.length];
    const merge = world.github.merge(pr.number);
    await handled('apply-push', () => hooks.push(pr.base, merge, 'carol'));
    const after = await system();
    expect(after.projects).toEqual(before.projects);
    expect(after.pushes.config.at(-1)).toBe(`${merge.slice(0, 7)} held`);
    expect(world.github.deployments).toHaveLength(deployments);
    expect(world.github.dispatches).toHaveLength(dispatches);
    expect(world.github.comments.find((c) => c.issue === pr.number && c.body.includes('merge held'))!.body).toContain(`The merge \`${merge.slice(0, 7)}\` was not applied to the system:\n\n- it deletes all 10 specs of project payments\n\nNothing was deleted or destroyed and no run started.`);
  });

  it('is applied, with its destroy runs, after /approve deletion on the merged pull request', async () => {
    const pr = world.github.pulls.find((p) => p.head === 'drop-payments')!;
    await handled('release-runs', () => world.webhooks(app).comment(pr.number, '/approve deletion', 'carol'));
    const after = await system();
    expect(after.projects).toEqual({ billing: 2, platform: 5 });
    expect(after.pushes.config.at(-1)).toBe(`${pr.mergeCommit!.slice(0, 7)} applied`);
    expect(world.github.deployments.filter((d) => d.ref === pr.mergeCommit).map((d) => d.environment).sort()).toEqual(['payments/dev', 'payments/staging']);
    // The comment that said the merge was held now says it was applied.
    expect(world.github.comments.filter((c) => c.issue === pr.number && c.body.includes('envsync:deletion-hold')).map((c) => c.body.split('\n')[1])).toEqual(['### envsync: held merge applied']);
  });
});

describe('a revision that deletes everything its repository owns', () => {
  it('is held, and applied after /approve deletion', async () => {
    const pr = billing.pullRequest('empty', { 'projects/billing': null, 'projects/billing.yaml': null });
    const merge = billing.github.merge(pr.number);
    await handled('apply-push', () => billing.hooks.push(pr.head, merge, 'carol'));
    expect((await system()).projects.billing).toBe(2);
    expect(writes(billing.github).map((r) => `${r.method} ${r.path}`)).toContain(`POST /repos/acme/billing/issues/${pr.number}/comments`);
    // A bare /approve does not delete a project by the way: the gate is approved only by name.
    await handled('command', () => billing.hooks.comment(pr.number, '/approve', 'carol'));
    expect(billing.github.comments.at(-1)!.body).toContain('approved only by name: comment `/approve deletion`');
    expect((await system()).projects.billing).toBe(2);
    await handled('release-runs', () => billing.hooks.comment(pr.number, '/approve deletion', 'carol'));
    const after = await system();
    expect(after.projects).toEqual({ platform: 5 });
    expect(after.pushes.billing.slice(-2)).toEqual([`${merge.slice(0, 7)} held`, `${merge.slice(0, 7)} applied`]);
  });
});

/** A pull request by alice in acme/config that writes (or, with null, removes) files. */
function worldPullRequest(branch: string, files: Record<string, string | null>): { number: number; head: string; base: string } {
  const base = world.github.sha('main');
  const clone = world.clone;
  const git = (...args: string[]) => execFileSync('git', ['-C', clone, '-c', 'user.name=Alice', '-c', 'user.email=alice@example.com', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();
  git('fetch', '-q', world.github.gitDir, 'main');
  git('checkout', '-q', '-B', branch, 'FETCH_HEAD');
  for (const [path, text] of Object.entries(files)) {
    if (text === null) rmSync(join(clone, path), { recursive: true, force: true });
    else writeFileSync(join(clone, path), text);
  }
  git('add', '-A');
  git('commit', '-q', '-m', branch);
  const head = world.github.pushFrom(clone, branch);
  return { number: world.github.openPullRequest(branch, 'main', 'alice').number, head, base };
}
