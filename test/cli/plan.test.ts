// `envsync plan` against real git repositories: working tree against HEAD by default, any two refs,
// JSON for scripts, and clear usage errors.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const example = fileURLToPath(new URL('../../examples/config-repo/', import.meta.url));

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
const envsync = (args: string[], cwd = repo) => runCli(cwd, args);
const edit = (path: string, from: string, to: string) => {
  const file = join(repo, path);
  writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));
};

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'envsync-plan-'));
  cpSync(example, repo, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'empty');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'base');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

const ET = 'projects/payments/environmenttemplates/web-stack.yaml';

describe('envsync plan', () => {
  it('plans the working tree against HEAD by default', async () => {
    edit(ET, 'value: "2"', 'value: "4"');
    const result = await envsync(['plan']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`### envsync plan: <code>${git('rev-parse', '--short=7', 'HEAD')}</code> → <code>working tree</code>`);
    expect(result.stdout).toContain('**1 spec changed** (0 created, 1 updated, 0 deleted, 14 unchanged) · **2 environment runs** in 1 group (2 deploy, 0 destroy)');
    expect(result.stdout).toContain('```diff\n@@ spec.variables[name=replicas].value @@\n- "2"\n+ "4"\n```');
  });

  it('plans between two refs, with full commit ids in the JSON', async () => {
    unlinkSync(join(repo, 'projects/payments/environments/staging.yaml'));
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'delete staging');
    const result = await envsync(['plan', '--base', 'HEAD~1', '--head', 'main', '--format', 'json']);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.base).toBe(git('rev-parse', 'HEAD~1'));
    expect(plan.head).toBe(git('rev-parse', 'HEAD'));
    expect(plan.summary).toEqual({ create: 0, update: 0, delete: 1, unchanged: 14, deploys: 0, destroys: 1, approvals: 1, errors: 0, warnings: 0 });
    expect(plan.runs.map((r: { environment: string; action: string; activities: { id: string; dependsOn: string[] }[] }) => [r.environment, r.action, r.activities[0]])).toEqual([
      ['staging', 'destroy', { id: 'hook/onInit/change-approval', type: 'approval', dependsOn: [] }],
    ]);
  });

  it('reads the base from git history, ignoring files that are not committed', async () => {
    writeFileSync(join(repo, 'projects/payments/environments/scratch.yaml'), 'not: [valid');
    const result = await envsync(['plan', '--base', 'HEAD', '--head', 'HEAD', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).summary.unchanged).toBe(15);
  });

  it('exits 1 and says so on stderr when the head does not validate', async () => {
    edit('projects/payments/environments/dev.yaml', 'name: web-stack', 'name: web-stak');
    const result = await envsync(['plan']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('envsync: the head has 1 validation error, so the plan may be incomplete: run `envsync validate` to see them\n');
  });

  it('exits 1 when the plan deletes a template version still in use', async () => {
    unlinkSync(join(repo, 'projects/payments/resourcetemplates/database.yaml'));
    const result = await envsync(['plan', '--format', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings).toMatchObject([{ code: 'deleted-template-in-use', file: ET, line: 27, column: 16 }]);
  });

  it.each([
    [['plan', '--base', 'no-such-ref'], '"no-such-ref" is not a commit in the git repository at'],
    [['plan', '--format', 'html'], '--format must be one of markdown, json, not "html"'],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const result = await envsync(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('asks for --base when the folder is not a git repository', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'envsync-nogit-'));
    try {
      const result = await envsync(['plan', plain], tmpdir());
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('(without --base, the base is HEAD: give --base REF)');
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
