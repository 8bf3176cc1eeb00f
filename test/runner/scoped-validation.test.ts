// `envsync run` validates what its environment reads (the environment, its template, what the
// template names), not the whole revision: a mistake in another environment or project does not
// stop it, while one in a spec it reads, or a reference to a spec that does not exist, still does,
// with the very findings `envsync validate` gives. Dry runs of a copy of the example repository, in
// process: nothing is run, no build needed.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.js';

const example = fileURLToPath(new URL('../../examples/config-repo', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'envsync-scoped-'));
  cpSync(example, join(dir, 'config'), { recursive: true });
  // Under Actions, a run appends to the job's summary: not this test's to write.
  vi.stubEnv('GITHUB_STEP_SUMMARY', '');
  vi.stubEnv('GITHUB_ACTIONS', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const envsync = (...argv: string[]) => runCli(join(dir, 'config'), argv);

const dryRun = (environment: string) => envsync('run', environment, '--dry-run', '--approved', 'hook/onInit/change-approval', '--results', join(dir, 'results.json'));

function edit(path: string, change: (text: string) => string) {
  const file = join(dir, 'config', path);
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  expect(after, `the edit of ${path} changed nothing`).not.toBe(before);
  writeFileSync(file, after);
}

function write(path: string, text: string) {
  const file = join(dir, 'config', path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** The finding lines of `envsync validate`'s text output: file:line:column: severity [code] message. */
const findingLines = (text: string) => text.split('\n').filter((l) => /^projects\/\S+:\d+:\d+: (error|warning) \[/.test(l));

/** The run is refused, and every finding it names is one `envsync validate` names too, word for word. */
async function expectRefused(environment: string, expected: RegExp) {
  const run = await dryRun(environment);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('does not validate: nothing was run');
  const validate = await envsync('validate', '.');
  const refused = findingLines(run.stderr);
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.some((l) => expected.test(l))).toBe(true);
  for (const line of refused) expect(findingLines(validate.stdout)).toContain(line);
  return refused;
}

describe('envsync run validates what its environment reads', () => {
  it('runs the example environment (the baseline the other cases change)', async () => {
    const run = await dryRun('payments/dev');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('success: payments/dev deploy');
  });

  it('runs although another environment, a spec of another project and a file that is no YAML have errors', async () => {
    // staging names a template version that does not exist, and a field no environment has.
    edit('projects/payments/environments/staging.yaml', (t) => t.replace('version: v1', 'version: v9').replace('  agents:', '  agentz:'));
    // Another project's template of the same name, shared with nobody: not the one dev reads.
    write(
      'projects/shop/environmenttemplates/web-stack.yaml',
      'apiVersion: eaas.envmgmt.io/v1\nkind: EnvironmentTemplate\nmetadata:\n  name: web-stack\n  project: shop\nspec:\n  version: v1\n  resourcez: []\n',
    );
    write('projects/shop/environments/broken.yaml', 'apiVersion: eaas.envmgmt.io/v1\nkind: Environment\nmetadata: [unclosed\n');
    const validate = await envsync('validate', '.');
    expect(validate.code).toBe(1);
    expect(findingLines(validate.stdout).map((l) => l.split(':')[0])).toEqual(
      expect.arrayContaining(['projects/payments/environments/staging.yaml', 'projects/shop/environmenttemplates/web-stack.yaml', 'projects/shop/environments/broken.yaml']),
    );

    const run = await dryRun('payments/dev');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('success: payments/dev deploy');
  });

  it("refuses the run when the environment's template has an error", async () => {
    edit('projects/payments/environmenttemplates/web-stack.yaml', (t) => t.replace('  versionState: active', '  versionStat: active'));
    await expectRefused('payments/dev', /^projects\/payments\/environmenttemplates\/web-stack\.yaml:\d+:\d+: error \[unknown-field\]/);
  });

  it('refuses the run when a spec its template reads has an error: a resource template, a shared config context', async () => {
    edit('projects/payments/resourcetemplates/database.yaml', (t) => t.replace('      timeoutSeconds: 1800', '      timeoutSecond: 1800'));
    edit('projects/platform/configcontexts/aws-account.yaml', (t) => t.replace('  envs:\n', '  envs: [\n'));
    const refused = await expectRefused('payments/dev', /^projects\/payments\/resourcetemplates\/database\.yaml:/);
    expect(refused.some((l) => l.startsWith('projects/platform/configcontexts/aws-account.yaml:'))).toBe(true);
  });

  it('refuses the run when a spec it names does not exist, with the suggestion validate makes', async () => {
    rmSync(join(dir, 'config', 'projects/payments/resourcetemplates/database.yaml'));
    edit('projects/payments/environmenttemplates/web-stack.yaml', (t) => t.replace('    name: app\n', '    name: ap\n'));
    const refused = await expectRefused('payments/dev', /\[ref-not-found\] ResourceTemplate "database" does not exist in project payments/);
    expect(refused).toContainEqual(expect.stringMatching(/\[ref-not-found\] ResourceTemplate "ap" does not exist in project payments nor is it shared with it: did you mean "app"\?/));
  });

  it('refuses the run when another file could be its template: a second definition, or one that does not parse', async () => {
    const template = 'projects/payments/environmenttemplates/web-stack.yaml';
    write('projects/payments/environmenttemplates/web-stack@v1.yaml', readFileSync(join(dir, 'config', template), 'utf8'));
    await expectRefused('payments/dev', /\[duplicate-spec\] EnvironmentTemplate payments\/web-stack version v1 is also defined/);
    write('projects/payments/environmenttemplates/web-stack@v1.yaml', 'kind: EnvironmentTemplate\nspec: [unclosed\n');
    await expectRefused('payments/dev', /^projects\/payments\/environmenttemplates\/web-stack@v1\.yaml:\d+:\d+: error \[yaml-syntax\]/);
    // Another version's file is not the one dev reads.
    rmSync(join(dir, 'config', 'projects/payments/environmenttemplates/web-stack@v1.yaml'));
    write('projects/payments/environmenttemplates/web-stack@v2.yaml', 'kind: EnvironmentTemplate\nspec: [unclosed\n');
    expect((await dryRun('payments/dev')).code).toBe(0);
  });

  it('refuses the run when its own environment has an error, and says when there is no such environment', async () => {
    edit('projects/payments/environments/dev.yaml', (t) => t.replace('  agents:', '  agentz:'));
    await expectRefused('payments/dev', /^projects\/payments\/environments\/dev\.yaml:\d+:\d+: error \[unknown-field\]/);
    const missing = await dryRun('payments/prod');
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'envsync: there is no environment payments/prod at working tree\n' });
  });
});
