// `envsync system` and `envsync export` end to end: apply a checkout to the store, change the system
// from the command line, and export it back as edits whose git diff is exactly the changed lines.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const bin = fileURLToPath(new URL('../../bin/envsync.js', import.meta.url));
const example = fileURLToPath(new URL('../../examples/config-repo/', import.meta.url));

let work: string;
let repo: string;
let storeArg: string[];
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
// In this process, with the environment the child had: the actor named, and no DATABASE_URL to fall back on.
const envsync = (...args: string[]) => runCli(repo, args, { env: { ENVSYNC_ACTOR: 'alice', DATABASE_URL: '' } });

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'envsync-system-'));
  repo = join(work, 'repo');
  cpSync(example, repo, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'base');
  storeArg = ['--store', `sqlite:${join(work, 'store.db')}`];
  expect(await envsync('system', 'apply', '.', '--ref', 'HEAD', ...storeArg)).toMatchObject({ code: 0, stdout: `applied ${git('rev-parse', 'HEAD').trim()}: 15 created, 0 updated, 0 deleted\n` });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('envsync system', () => {
  it('lists what the store holds, with its origin and revision', async () => {
    const { code, stdout } = await envsync('system', 'list', '--kind', 'Environment', ...storeArg);
    expect(code).toBe(0);
    expect(stdout.split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 2))).toEqual([
      ['Environment/payments/dev', 'git'],
      ['Environment/payments/staging', 'git'],
    ]);
  });

  it('prints a spec with its secrets masked', async () => {
    const { stdout } = await envsync('system', 'get', 'ConfigContext/platform/aws-account', ...storeArg);
    expect(stdout).toContain('    value: (sensitive)');
    expect(stdout).not.toContain('example-secret-access-key');
    expect(stdout).not.toContain('example-access-key-id');
  });

  it('refuses an invalid spec with its findings located in the file, and stores nothing', async () => {
    writeFileSync(join(work, 'dev.yaml'), 'apiVersion: eaas.envmgmt.io/v1\nkind: Environment\nmetadata:\n  name: dev\n  project: payments\nspec:\n  template:\n    name: web-stak\n    version: v1\n');
    const result = await envsync('system', 'put', join(work, 'dev.yaml'), ...storeArg);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'envsync: the spec is not valid: nothing was stored\n' +
        'projects/payments/environments/dev.yaml:8:11: error [ref-not-found] EnvironmentTemplate "web-stak" does not exist in project payments nor is it shared with it: did you mean "web-stack"?\n' +
        '1 file, 1 spec: 1 error, 0 warnings\n',
    );
  });

  it('records who changed what through which path', async () => {
    expect((await envsync('system', 'launch', 'payments/qa', '--template', 'web-stack@v1', '--var', 'owner_team=qa', ...storeArg)).stdout).toBe('created\n');
    const last = (await envsync('system', 'events', ...storeArg)).stdout.trim().split('\n').at(-1)!.split('\t');
    expect([last[2], last[3], last[4], last[5], last[6]]).toEqual(['manual', 'alice', 'create', 'Environment/payments/qa', '-']);
  });

  it('makes an API token and the configuration entry holding only its hash', async () => {
    const { stdout } = await envsync('system', 'token', 'ci', '--project', 'payments=write', '--project', '*=read');
    const [, token] = /token \(shown once; give it to the client\): (\S+)/.exec(stdout)!;
    const entry = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(entry.name).toBe('ci');
    expect(entry.projects).toEqual({ payments: 'write', '*': 'read' });
    expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(entry)).not.toContain(token);
  });

  // A real process: what is proved is how the binary ends on EPIPE (process.exit in main.ts), through a shell pipe.
  it('ends quietly when its reader closes the pipe early', () => {
    const run = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" system list ${storeArg.join(' ')} | head -n 1`], { cwd: repo, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });
});

describe('envsync export', () => {
  it('writes nothing when the system holds what the checkout holds', async () => {
    expect(await envsync('export', '.', ...storeArg)).toMatchObject({ code: 0, stdout: '0 files changed\n' });
  });

  it('brings a system change back as a diff of exactly the changed lines, comments kept', async () => {
    writeFileSync(
      join(work, 'dev.yaml'),
      'apiVersion: eaas.envmgmt.io/v1\nkind: Environment\nmetadata:\n  name: dev\n  project: payments\n  description: Developers\' shared environment\nspec:\n  template:\n    name: web-stack\n    version: v1\n  agents:\n  - name: linux-small\n  variables:\n  - name: owner_team\n    value: payments-dev\n  - name: replicas\n    value: "2"\n',
    );
    expect(await envsync('system', 'put', join(work, 'dev.yaml'), ...storeArg)).toMatchObject({ code: 0, stdout: 'updated\n' });
    await envsync('system', 'launch', 'payments/qa', '--template', 'web-stack@v1', '--var', 'owner_team=qa', ...storeArg);
    expect(await envsync('export', '.', ...storeArg)).toMatchObject({ code: 0, stdout: 'wrote projects/payments/environments/dev.yaml\nwrote projects/payments/environments/qa.yaml\n2 files changed\n' });
    expect(git('diff', '-U0', '--', 'projects/payments/environments/dev.yaml').split('\n').filter((l) => /^[-+] /.test(l) || /^[-+]\s/.test(l))).toEqual(['-    value: "1"', '+    value: "2"']);
    expect(git('status', '--short')).toBe(' M projects/payments/environments/dev.yaml\n?? projects/payments/environments/qa.yaml\n');
  });

  it('closes the loop: once the exported change is committed, applying that revision changes nothing', async () => {
    await envsync('system', 'launch', 'payments/qa', '--template', 'web-stack@v1', '--var', 'owner_team=qa', ...storeArg);
    await envsync('export', '.', ...storeArg);
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'system sync');
    const events = (await envsync('system', 'events', ...storeArg)).stdout.trim().split('\n').length;
    expect((await envsync('system', 'apply', '.', '--ref', 'HEAD', ...storeArg)).stdout).toBe(`applied ${git('rev-parse', 'HEAD').trim()}: 0 created, 0 updated, 0 deleted\n`);
    expect((await envsync('system', 'events', ...storeArg)).stdout.trim().split('\n').length).toBe(events);
    expect((await envsync('export', '.', ...storeArg)).stdout).toBe('0 files changed\n');
  });

  it('follows .github/envsync.yml: an excluded kind is neither exported nor deleted from the system', async () => {
    execFileSync('mkdir', ['-p', join(repo, '.github')]);
    writeFileSync(join(repo, '.github', 'envsync.yml'), 'sync:\n  exclude: [Cluster]\n');
    execFileSync('rm', [join(repo, 'projects/payments/clusters/edge-mks.yaml')]);
    // Git no longer has the cluster, but clusters do not sync: the system keeps it...
    expect((await envsync('system', 'apply', '.', ...storeArg)).stdout).toBe('applied working tree: 0 created, 0 updated, 0 deleted\n');
    expect((await envsync('system', 'list', '--kind', 'Cluster', ...storeArg)).stdout).toContain('Cluster/payments/edge-mks');
    // ...and export does not write it back.
    expect((await envsync('export', '.', ...storeArg)).stdout).toBe('0 files changed\n');
  });
});

describe('a value secret by a name the repository configures (sensitive.names)', () => {
  const secretChange = async () => {
    execFileSync('mkdir', ['-p', join(repo, '.github')]);
    writeFileSync(join(repo, '.github', 'envsync.yml'), 'sensitive:\n  names: [owner_*]\n');
    await envsync('system', 'launch', 'payments/qa', '--template', 'web-stack@v1', '--var', 'owner_team=night-shift-team', ...storeArg);
  };
  const written = () => readFileSync(join(repo, 'projects/payments/environments/qa.yaml'), 'utf8');

  it('is written into the checkout by envsync export as a sealed reference, as the bot pull request writes it', async () => {
    await secretChange();
    expect((await envsync('export', '.', ...storeArg)).code).toBe(0);
    expect(written()).toContain('value: sealed://Environment/payments/qa/spec.variables[owner_team].value');
    expect(written()).not.toContain('night-shift-team');
  });

  it('is written by reconcile --mode system-wins as a sealed reference too', async () => {
    await secretChange();
    expect((await envsync('reconcile', '.', '--mode', 'system-wins', ...storeArg)).code).toBe(0);
    expect(written()).not.toContain('night-shift-team');
  });
});

describe('envsync reconcile', () => {
  it('says the system and Git are in sync when they are, sealed secrets included', async () => {
    expect((await envsync('reconcile', '.', '--mode', 'git-wins', ...storeArg)).stdout).toBe('in sync: the system holds what Git holds\n');
  });

  it('lists the drift, and git-wins applies Git to the system as a manual sync', async () => {
    await envsync('system', 'launch', 'payments/qa', '--template', 'web-stack@v1', '--var', 'owner_team=qa', ...storeArg);
    const result = await envsync('reconcile', '.', '--mode', 'git-wins', ...storeArg);
    expect(result.stdout).toBe('drift: 1 spec\n  Environment/payments/qa: only in the system\ngit wins: applied working tree to the system: 0 created, 0 updated, 1 deleted\n');
    const last = (await envsync('system', 'events', ...storeArg)).stdout.trim().split('\n').at(-1)!.split('\t');
    expect([last[2], last[3], last[4], last[5]]).toEqual(['manual', 'alice', 'delete', 'Environment/payments/qa']);
  });

  it('system-wins writes the system into the checkout', async () => {
    await envsync('system', 'launch', 'payments/qa', '--template', 'web-stack@v1', '--var', 'owner_team=qa', ...storeArg);
    expect((await envsync('reconcile', '.', '--mode', 'system-wins', ...storeArg)).stdout).toBe(
      'drift: 1 spec\n  Environment/payments/qa: only in the system\nsystem wins: 1 file written into .; commit them (the app opens a bot pull request instead)\n',
    );
    expect(git('status', '--short')).toBe('?? projects/payments/environments/qa.yaml\n');
  });
});

describe('envsync plan --store', () => {
  it('plans the working tree against the system\'s live state', async () => {
    await envsync('system', 'launch', 'payments/qa', '--template', 'web-stack@v1', '--var', 'owner_team=qa', ...storeArg);
    const result = await envsync('plan', '--store', storeArg[1]!, '--format', 'json');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.base).toBe('system');
    expect(plan.changes.map((c: { action: string; name: string }) => `${c.action} ${c.name}`)).toEqual(['delete qa']);
    expect(plan.runs.map((r: { environment: string; action: string }) => `${r.action} ${r.environment}`)).toEqual(['destroy qa']);
  });
});
