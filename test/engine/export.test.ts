// System-to-Git file changes on the example repository: edits touch only changed lines, new and
// deleted specs map to files, secrets are sealed or kept but never written in clear.
import { describe, expect, it } from 'vitest';
import jsyaml from 'js-yaml';
import { planExport, type SystemSpec } from '../../src/engine/export.js';
import { loadSpecs } from '../../src/specs/load.js';
import { exampleFiles } from '../golden/scenarios.js';
import { lineDiff } from '../helpers/line-diff.js';

const CANARY = 'CANARY-5e2c81';

function checkout() {
  return loadSpecs(exampleFiles());
}

/** The system holding exactly what the example repository holds. */
function systemFromGit(): SystemSpec[] {
  return checkout().specs.map((s) => ({
    kind: s.kind.kind,
    project: s.project,
    name: s.name,
    ...(s.version !== undefined ? { version: s.version } : {}),
    document: structuredClone(s.data),
  }));
}

const find = (system: SystemSpec[], kind: string, name: string) => system.find((s) => s.kind === kind && s.name === name)!;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const spec = (s: SystemSpec) => s.document.spec as any;

describe('planExport', () => {
  it('changes no file when the system holds what Git holds', () => {
    expect(planExport(checkout(), systemFromGit())).toEqual({ files: [], secrets: [], rewritten: [] });
  });

  it('edits an environment changed in the system on exactly the changed line', () => {
    const git = checkout();
    const system = systemFromGit();
    spec(find(system, 'Environment', 'dev')).variables[1].value = '2';
    const plan = planExport(git, system);
    expect(plan.files.map((f) => f.path)).toEqual(['projects/payments/environments/dev.yaml']);
    expect(lineDiff(git.textOf('projects/payments/environments/dev.yaml')!, plan.files[0]!.content!)).toEqual({ removed: ['    value: "1"'], added: ['    value: "2"'] });
  });

  it('keeps a variant spelling of the file when another field of the same spec changes', () => {
    const git = checkout();
    const system = systemFromGit();
    const template = find(system, 'EnvironmentTemplate', 'web-stack');
    spec(template).hooks.onInit[1].options.container.envVars.LOG_LEVEL = 'debug';
    const plan = planExport(git, system);
    const file = 'projects/payments/environmenttemplates/web-stack.yaml';
    expect(lineDiff(git.textOf(file)!, plan.files[0]!.content!)).toEqual({ removed: ['            LOG_LEVEL: info'], added: ['            LOG_LEVEL: debug'] });
    expect(plan.files[0]!.content).toContain('          envvars: # the documents spell it both ways; both are accepted');
  });

  it('writes a new environment at its layout path, and deletes one the system no longer has', () => {
    const system = systemFromGit().filter((s) => !(s.kind === 'Environment' && s.name === 'staging'));
    const qa = structuredClone(find(system, 'Environment', 'dev'));
    qa.name = 'qa';
    (qa.document.metadata as Record<string, string>).name = 'qa';
    system.push(qa);
    const plan = planExport(checkout(), system);
    expect(plan.files.map((f) => [f.path, f.content === null ? 'deleted' : 'written'])).toEqual([
      ['projects/payments/environments/qa.yaml', 'written'],
      ['projects/payments/environments/staging.yaml', 'deleted'],
    ]);
    expect(jsyaml.load(plan.files[0]!.content!)).toEqual(qa.document);
  });

  it('gives a project new to Git a .gitkeep beside its first spec', () => {
    const system = systemFromGit();
    const driver = structuredClone(find(system, 'Driver', 'notify'));
    driver.project = 'search';
    (driver.document.metadata as Record<string, string>).project = 'search';
    system.push(driver);
    expect(planExport(checkout(), system).files.map((f) => f.path)).toEqual(['projects/search/.gitkeep', 'projects/search/drivers/notify.yaml']);
  });

  it('writes a new version of a template beside the old one as name@version.yaml', () => {
    const system = systemFromGit();
    const v2 = structuredClone(find(system, 'EnvironmentTemplate', 'web-stack'));
    v2.version = 'v2';
    spec(v2).version = 'v2';
    system.push(v2);
    expect(planExport(checkout(), system).files.map((f) => f.path)).toEqual(['projects/payments/environmenttemplates/web-stack@v2.yaml']);
  });

  it('seals a secret changed in the system, writes no value, and says so', () => {
    const git = checkout();
    const system = systemFromGit();
    const context = find(system, 'ConfigContext', 'aws-account');
    spec(context).variables[0].value = `${CANARY}-variable`;
    spec(context).files[0].data = `${CANARY}-file`;
    spec(find(system, 'Driver', 'tofu-runner')).config.container.imagePullCredentials.password = `${CANARY}-pull`;
    const plan = planExport(git, system);
    const file = 'projects/platform/configcontexts/aws-account.yaml';
    expect(plan.secrets).toEqual([
      { file, path: 'spec.files[0].data', outcome: 'sealed' },
      { file, path: 'spec.variables[0].value', outcome: 'sealed' },
      { file: 'projects/platform/drivers/tofu-runner.yaml', path: 'spec.config.container.imagePullCredentials.password', outcome: 'sealed' },
    ]);
    const context_ = plan.files.find((f) => f.path === file)!.content!;
    expect(lineDiff(git.textOf(file)!, context_)).toEqual({
      removed: ['    data: eyJidWNrZXQiOiAiZXhhbXBsZS1zdGF0ZSJ9', '    value: example-secret-access-key'],
      added: ['    data: sealed://ConfigContext/platform/aws-account/spec.files[backend.tfvars.json].data', '    value: sealed://ConfigContext/platform/aws-account/spec.variables[aws_secret_access_key].value'],
    });
    for (const f of plan.files) expect(f.content ?? '').not.toContain(CANARY);
  });

  it('keeps the value Git has for a changed secret when asked to, and says so', () => {
    const system = systemFromGit();
    spec(find(system, 'ConfigContext', 'aws-account')).variables[0].value = `${CANARY}-variable`;
    const plan = planExport(checkout(), system, { secrets: 'keep' });
    expect(plan.files).toEqual([]);
    expect(plan.secrets).toEqual([{ file: 'projects/platform/configcontexts/aws-account.yaml', path: 'spec.variables[0].value', outcome: 'kept' }]);
  });

  it('seals every secret of a spec new to Git, even when asked to keep Git values', () => {
    const system = systemFromGit();
    const copy = structuredClone(find(system, 'ConfigContext', 'aws-account'));
    copy.name = 'aws-account-2';
    (copy.document.metadata as Record<string, string>).name = 'aws-account-2';
    system.push(copy);
    const plan = planExport(checkout(), system, { secrets: 'keep' });
    expect(plan.secrets.map((s) => [s.path, s.outcome])).toEqual([
      ['spec.envs[0].value', 'sealed'],
      ['spec.files[0].data', 'sealed'],
      ['spec.variables[0].value', 'sealed'],
    ]);
    expect(plan.files[0]!.content).not.toContain('example-secret-access-key');
  });

  it('leaves kinds outside the sync scope alone', () => {
    const system = systemFromGit().filter((s) => s.kind !== 'Cluster');
    expect(planExport(checkout(), system, { exclude: ['Cluster'] }).files).toEqual([]);
    expect(planExport(checkout(), system).files.map((f) => f.content)).toEqual([null, null]);
  });

  it('drops a status the system attached to a spec', () => {
    const system = systemFromGit();
    find(system, 'Driver', 'notify').document.status = { webhookSecret: CANARY };
    expect(planExport(checkout(), system).files).toEqual([]);
  });

  it("follows each project's secrets setting", () => {
    const system = systemFromGit();
    spec(find(system, 'ConfigContext', 'aws-account')).variables[0].value = `${CANARY}-variable`;
    const plan = planExport(checkout(), system, { secrets: (project) => (project === 'platform' ? 'keep' : 'seal') });
    expect(plan.secrets).toEqual([{ file: 'projects/platform/configcontexts/aws-account.yaml', path: 'spec.variables[0].value', outcome: 'kept' }]);
  });
});
