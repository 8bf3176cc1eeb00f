// Revisions read from revisions read before: a later commit is read by fetching the files GitHub's
// comparison names, never the tarball, and its validation equals reading and validating it whole.
// Against the fake GitHub on a real git repository, through the real Octokit port.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync, renameSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Octokit } from '@octokit/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../../demo/fake-github.js';
import { Revisions } from '../../src/flows/revisions.js';
import { OctokitPort } from '../../src/github/octokit-port.js';
import { EXAMPLE } from '../golden/scenarios.js';

const REPO = { owner: 'acme', repo: 'config' };
let github: FakeGitHub;
let work: string;
let clone: string;
let port: OctokitPort;

const git = (...args: string[]) => execFileSync('git', ['-C', clone, '-c', 'user.name=A', '-c', 'user.email=a@example.com', ...args], { encoding: 'utf8' }).trim();
/** Commits what the clone holds and pushes it to `branch`; answers the commit. */
function commit(branch = 'main'): string {
  git('add', '-A');
  git('commit', '-q', '--allow-empty', '-m', 'change');
  return github.pushFrom(clone, branch);
}
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(clone, path)), { recursive: true });
  writeFileSync(join(clone, path), text);
};
const read = (path: string) => readFileSync(join(clone, path), 'utf8');
const requests = () => github.requests.map((r) => `${r.method} ${decodeURIComponent(r.path.replace(`/repos/${REPO.owner}/${REPO.repo}`, '').replace(/\?.*/, ''))}`);

/** Reads and validates `sha` with nothing read before: what the tarball says. */
async function whole(sha: string) {
  const fresh = new Revisions();
  return fresh.validate(await fresh.read(port, REPO, sha, '.'));
}

beforeAll(async () => {
  github = new FakeGitHub(REPO.owner, REPO.repo);
  const host = await github.start();
  port = new OctokitPort(new Octokit({ auth: 'test-token', baseUrl: `http://${host}` }));
  work = mkdtempSync(join(tmpdir(), 'envsync-revisions-'));
});

afterAll(async () => {
  await github.stop();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  clone = join(work, `clone-${Math.random().toString(36).slice(2)}`);
  mkdirSync(clone);
  git('init', '-q', '-b', 'main');
  cpSync(EXAMPLE, clone, { recursive: true });
  mkdirSync(join(clone, '.github'), { recursive: true });
  writeFileSync(join(clone, '.github/envsync.yml'), '# envsync: the defaults\n');
});

describe('a revision read from one read before', () => {
  it('fetches only the changed files, and validates as a whole read does', async () => {
    const revisions = new Revisions();
    const base = commit();
    const first = await revisions.read(port, REPO, base, '.');
    await revisions.validate(first);
    expect(revisions.counts).toEqual({ tarballs: 1, changes: 0, fetched: 0 });

    const dev = 'projects/payments/environments/dev.yaml';
    write(dev, read(dev).replace('value: "1"', 'value: "3"'));
    unlinkSync(join(clone, 'projects/payments/resources/dns-zone.yaml'));
    renameSync(join(clone, 'projects/payments/environments/staging.yaml'), join(clone, 'projects/payments/environments/stage.yaml'));
    const head = commit('feature');
    github.requests.length = 0;
    const next = await revisions.read(port, REPO, head, '.', [base]);
    const validated = await revisions.validate(next);

    expect(requests()).toEqual([`GET /compare/${base}...${head}`, 'GET /contents/projects/payments/environments/dev.yaml', 'GET /contents/projects/payments/environments/stage.yaml']);
    expect(revisions.counts).toEqual({ tarballs: 1, changes: 1, fetched: 2 });
    const reference = await whole(head);
    expect(next.files.map((f) => f.path)).toEqual((await new Revisions().read(port, REPO, head, '.')).files.map((f) => f.path));
    expect(validated.findings).toEqual(reference.findings);
    expect(validated.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['override-restricted', 'name-mismatch']));
    // Only the changed specs, and those that refer to them, had the rules across specs run again.
    expect(validated.rechecked).toBeLessThan(reference.rechecked);
  });

  it('starts from the merge base when the branch it started from has moved on', async () => {
    const revisions = new Revisions();
    const base = commit();
    await revisions.validate(await revisions.read(port, REPO, base, '.'));
    const dev = 'projects/payments/environments/dev.yaml';
    write(dev, read(dev).replace('value: "1"', 'value: "2"'));
    const feature = commit('feature');
    // main moves on without the feature: a later revision the app read, which the feature does not descend from.
    git('checkout', '-q', '-b', 'other', base);
    write('projects/payments/environments/qa.yaml', read(dev).replace('name: dev', 'name: qa'));
    const moved = commit('main');
    await revisions.validate(await revisions.read(port, REPO, moved, '.', [base]));
    github.requests.length = 0;
    const next = await revisions.read(port, REPO, feature, '.', [moved]);
    expect(requests().filter((r) => r.includes('tarball'))).toEqual([]);
    expect((await revisions.validate(next)).findings).toEqual((await whole(feature)).findings);
  });

  it('reads an older revision, and a branch from it, from a newer one read before: never the tarball again', async () => {
    const revisions = new Revisions();
    const base = commit();
    const dev = 'projects/payments/environments/dev.yaml';
    const template = 'projects/payments/environmenttemplates/web-stack.yaml';
    // main moves on (a new environment, a template edited); the app has read only the newer main.
    write('projects/payments/environments/qa.yaml', read(dev).replace('name: dev', 'name: qa'));
    write(template, read(template).replace('value: "2"', 'value: "4"'));
    const newer = commit();
    await revisions.validate(await revisions.read(port, REPO, newer, '.'));
    // A pull request branched from the older main, which the app never read.
    git('checkout', '-q', '-b', 'old', base);
    write(dev, read(dev).replace('value: "1"', 'value: "2"'));
    const feature = commit('old-feature');
    github.requests.length = 0;
    const older = await revisions.read(port, REPO, base, '.', [newer]);
    expect((await revisions.validate(older)).findings).toEqual((await whole(base)).findings);
    expect(older.files.map((f) => f.path)).not.toContain('projects/payments/environments/qa.yaml');
    const next = await revisions.read(port, REPO, feature, '.', [newer]);
    expect((await revisions.validate(next)).findings).toEqual((await whole(feature)).findings);
    expect(revisions.counts.tarballs).toBe(1);
  });

  it('reads one pull request head whole when it has read nothing, and the next, branched from the same base, from it', async () => {
    const revisions = new Revisions();
    const base = commit();
    const dev = 'projects/payments/environments/dev.yaml';
    const staging = 'projects/payments/environments/staging.yaml';
    write(dev, read(dev).replace('value: "1"', 'value: "2"'));
    const first = commit('first');
    git('checkout', '-q', '-b', 'second-branch', base);
    write(staging, read(staging).replace('name: staging', 'name: stage'));
    const second = commit('second');
    github.requests.length = 0;
    await revisions.validate(await revisions.read(port, REPO, first, '.', [base]));
    const next = await revisions.read(port, REPO, second, '.', [base]);
    // The merge base is the first head without its change (one file read back), the second head that plus its own.
    expect(requests()).toEqual([`GET /tarball/${first}`, `GET /compare/${first}...${second}`, `GET /compare/${first}...${base}`, `GET /compare/${base}...${first}`, `GET /contents/${dev}`, `GET /contents/${staging}`]);
    expect((await revisions.validate(next)).findings).toEqual((await whole(second)).findings);
  });

  it('keeps the original of a copied file', async () => {
    const revisions = new Revisions();
    const base = commit();
    await revisions.read(port, REPO, base, '.');
    const staging = 'projects/payments/environments/staging.yaml';
    write('projects/payments/environments/staging-copy.yaml', read(staging));
    const head = commit('copy');
    const next = await revisions.read(port, REPO, head, '.', [base]);
    expect(revisions.counts.changes).toBe(1);
    expect(next.files.map((f) => f.path)).toEqual((await new Revisions().read(port, REPO, head, '.')).files.map((f) => f.path));
    expect(next.files.map((f) => f.path)).toContain(staging);
  });

  it('reads the tarball when GitHub cannot compare (histories without a common ancestor)', async () => {
    const revisions = new Revisions();
    const base = commit();
    await revisions.read(port, REPO, base, '.');
    // main rewritten from scratch (a purged secret): no common ancestor with what was read.
    git('checkout', '-q', '--orphan', 'rewritten');
    const dev = 'projects/payments/environments/dev.yaml';
    write(dev, read(dev).replace('value: "1"', 'value: "2"'));
    const head = commit('rewritten');
    github.fault = (r) => (r.path.includes('/compare/') ? 404 : undefined);
    try {
      const next = await revisions.read(port, REPO, head, '.', [base]);
      expect(revisions.counts.tarballs).toBe(2);
      expect((await revisions.validate(next)).findings).toEqual((await whole(head)).findings);
    } finally {
      github.fault = undefined;
    }
  });

  it('drops a projects/ link that became a folder, as the tarball does', async () => {
    const revisions = new Revisions();
    renameSync(join(clone, 'projects'), join(clone, 'specs'));
    symlinkSync('specs', join(clone, 'projects'));
    const base = commit();
    expect((await revisions.validate(await revisions.read(port, REPO, base, '.'))).findings.map((f) => f.code)).toContain('link-not-followed');
    unlinkSync(join(clone, 'projects'));
    renameSync(join(clone, 'specs'), join(clone, 'projects'));
    const head = commit('folder');
    const next = await revisions.read(port, REPO, head, '.', [base]);
    expect((await revisions.validate(next)).findings).toEqual((await whole(head)).findings);
    expect((await revisions.validate(next)).findings.map((f) => f.code)).not.toContain('link-not-followed');
  });

  it('reads a file GitHub sends without its content (over 1 MB) byte for byte, from its blob', async () => {
    const revisions = new Revisions();
    const base = commit();
    await revisions.read(port, REPO, base, '.');
    const dev = 'projects/payments/environments/dev.yaml';
    // Just under envsync's 1 MiB limit, with bytes that are no UTF-8.
    const big = Buffer.concat([Buffer.from(read(dev)), Buffer.from('# '), Buffer.alloc(1_040_000, 0xff), Buffer.from('\n')]);
    writeFileSync(join(clone, dev), big);
    const head = commit('big');
    const next = await revisions.read(port, REPO, head, '.', [base]);
    expect(revisions.counts.changes).toBe(1);
    expect(Buffer.compare(Buffer.from(next.files.find((f) => f.path === dev)!.content!), big)).toBe(0);
    expect((await revisions.validate(next)).findings).toEqual((await whole(head)).findings);
  });

  it('reads a symbolic link as a link, never what it leads to, as the tarball does', async () => {
    const revisions = new Revisions();
    const base = commit();
    await revisions.validate(await revisions.read(port, REPO, base, '.'));
    symlinkSync('/etc/passwd', join(clone, 'projects/payments/environments/leak.yaml'));
    symlinkSync('dev.yaml', join(clone, 'projects/payments/environments/alias.yaml'));
    const head = commit('links');
    const next = await revisions.read(port, REPO, head, '.', [base]);
    expect(revisions.counts.changes).toBe(1);
    const findings = (await revisions.validate(next)).findings;
    expect(findings).toEqual((await whole(head)).findings);
    expect(findings.filter((f) => f.file.endsWith('leak.yaml') || f.file.endsWith('alias.yaml')).map((f) => [f.file, f.code])).toEqual([
      ['projects/payments/environments/alias.yaml', 'file-skipped'],
      ['projects/payments/environments/leak.yaml', 'link-outside-checkout'],
    ]);
    expect(JSON.stringify(findings)).not.toContain('root:');
  });

  it('reads the tarball when the change has more files than are worth fetching one by one', async () => {
    const revisions = new Revisions({ maxFetches: 3 });
    const base = commit();
    await revisions.validate(await revisions.read(port, REPO, base, '.'));
    for (const name of ['a', 'b', 'c', 'd']) write(`projects/payments/environments/${name}.yaml`, read('projects/payments/environments/dev.yaml').replace('name: dev', `name: ${name}`));
    const head = commit('many');
    const next = await revisions.read(port, REPO, head, '.', [base]);
    expect(revisions.counts).toEqual({ tarballs: 2, changes: 0, fetched: 0 });
    expect((await revisions.validate(next)).findings).toEqual((await whole(head)).findings);
  });

  it('reads the configuration again when the change holds it', async () => {
    const revisions = new Revisions();
    const base = commit();
    await revisions.read(port, REPO, base, '.');
    write('.github/envsync.yml', 'deletion:\n  maxShare: 0.5\n');
    const head = commit('config');
    expect((await revisions.read(port, REPO, head, '.', [base])).config).toBe('deletion:\n  maxShare: 0.5\n');
    expect(revisions.counts).toEqual({ tarballs: 1, changes: 1, fetched: 0 });
    // Moved away, or replaced by a link: the revision has no configuration, as its tarball says.
    renameSync(join(clone, '.github/envsync.yml'), join(clone, '.github/envsync.yml.off'));
    const moved = commit('config');
    expect((await revisions.read(port, REPO, moved, '.', [head])).config).toBeUndefined();
    symlinkSync('envsync.yml.off', join(clone, '.github/envsync.yml'));
    const linked = commit('config');
    expect((await revisions.read(port, REPO, linked, '.', [moved])).config).toBeUndefined();
    expect((await new Revisions().read(port, REPO, linked, '.')).config).toBeUndefined();
    expect(revisions.counts).toEqual({ tarballs: 1, changes: 3, fetched: 0 });
  });
});
